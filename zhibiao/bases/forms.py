from zhibiao.bases.models import Capability
from zhibiao.bases.services import CAPABILITY_FIELDS
from zhibiao.core.forms import model_form_class

CapabilityForm = model_form_class(Capability, CAPABILITY_FIELDS, name="CapabilityForm")
