"""Pages of the standards app, one module per seam, mirroring `standards/models/` and
`standards/services/`: the catalogue (`catalogue`), validity checks (`checks`),
self-declarations (`declarations`), standard leaders (`leaders`) and group standards
(`groups`). `urls.py` names each view by its module.

Thin: scoping comes from the querysets, changes from the services.
"""
