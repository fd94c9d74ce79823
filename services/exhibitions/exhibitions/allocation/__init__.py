"""Booth allocation: pure code, no database and no HTTP (ADR 0009)."""

from exhibitions.allocation.model import Booth, Candidate, Held, Outcome, Problem, Result, RuleProblem, Rules
from exhibitions.allocation.solver import allocate, booth_classes, draw_lottery

__all__ = ["Booth", "Candidate", "Held", "Outcome", "Problem", "Result", "RuleProblem", "Rules", "allocate",
           "booth_classes", "draw_lottery"]
