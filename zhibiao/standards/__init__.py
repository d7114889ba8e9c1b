"""Standards: the catalogue and its search, the validity check of documents (标准查新),
enterprise self-declarations (自我声明公开), 企业标准领跑者 and the group standards of chambers."""
