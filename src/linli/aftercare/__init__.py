"""After-care of renovated compounds (智慧物业).

This first part holds the compound's assets and their preventive schedules (an elevator handed
over by a retrofit case: maintenance at least every 15 days, a periodic inspection every year)
with an overdue flag. Requests, work orders and Open311 build on it later.
"""
