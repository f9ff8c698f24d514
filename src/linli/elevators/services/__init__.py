"""Writes for elevator retrofit cases: the plan (``cases``), the path from votes to handover
(``workflow``) and the records kept along the way (``records``)."""
