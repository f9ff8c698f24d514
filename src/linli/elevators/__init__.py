"""The elevator retrofit app (既有住宅加装电梯): cases over one or several adjacent stairwells,
the pure subsidy (:mod:`.subsidy`) and cost-sharing (:mod:`.allocation`) engines, the votes per
stairwell, the bills and agreement, running costs and the handover to after-care."""
