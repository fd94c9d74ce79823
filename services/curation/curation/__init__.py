"""Curation: curators and their sectors, the rubric, cases, assignments, conflicts, scores, decisions."""
