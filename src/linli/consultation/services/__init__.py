"""Consultation services: the writes of surveys, visits, meetings, demand and votes."""
