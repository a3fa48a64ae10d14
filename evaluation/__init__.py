"""Offline evaluation of ipsmatch on placement history (see `evaluation/README.md`).

Uses `matcher` as a user would (its public records, ranker and encoders),
imports no web framework or database driver, and reads no environment
variables. Modules, in the order data flows through them:

- `placements`, `profiles`, `groups`: read the input files (all or nothing);
- `history`: turn the history into dated queries with graded openings;
- `systems`, `replay`: rank each query with ipsmatch and the baselines, no look-ahead;
- `metrics`, `ips`, `fairness`, `checks`: measure;
- `fitting`: fit the scoring weights on history before a cutoff;
- `pipeline`: all of the above in one call, returning a typed `results.EvaluationReport`;
  `report`: the HTML report;
- `simulate`, `vocabulary`: an invented history to try it all on.
"""
