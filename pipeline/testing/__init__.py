"""Helpers for testing the pipeline and an install of it, never for real work.

* :mod:`pipeline.testing.random_model`: a **random-weight** Argos package
  (a CTranslate2 Transformer and a SentencePiece model) that exercises the
  real loading and decoding path offline. Its output is meaningless.

The test suite and ``benchmarks/`` import from here; nothing in the
pipeline's own stages does.
"""
