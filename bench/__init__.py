"""Benchmarks: threshold calibration on SQuAD 2.0 and the seed question evaluation."""
