"""pipeline: an offline Chinese→English translation and localization pipeline.

Data flows one way: source document → segments (:mod:`pipeline.segment`) →
template and catalog (:mod:`pipeline.catalog`, :mod:`pipeline.extract`) →
machine drafts (:mod:`pipeline.engines`, :mod:`pipeline.translate`) →
reviewed catalog → editions (:mod:`pipeline.editions`, :mod:`pipeline.build`).
"""

__version__ = "0.1.0"
