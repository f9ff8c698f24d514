"""The elevator retrofit app (既有住宅加装电梯).

This first part holds the pure cost engines: subsidy rules (:mod:`.subsidy`) and the sharing of
construction and running costs among dwellings (:mod:`.allocation`). Retrofit cases, the link
to votes, documents and the handover to maintenance come next.
"""
