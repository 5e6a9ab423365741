"""Chinese text, defined once: what every stage knows about the script.

* :mod:`.script`: Han characters (:data:`~.script.HAN`, :func:`~.script.count_han`),
  CJK punctuation and the punctuation that ends a sentence or closes one;
* :mod:`.width`: the one fold of full-width forms to ASCII (``２０２４`` = ``2024``)
  and its inverse;
* :mod:`.numbers`: the one reader of Chinese numbers (十八, 三千五百万, 二〇二七,
  1100万), the values a sentence mentions, and which words are numbers
  with their measure words (七十七号, 一千五百多名);
* :mod:`.words`: word boundaries, from jieba's dictionary;
* :mod:`.length`: the length model, how long the English of a Chinese
  sentence runs (for the checks and the ``openai`` engine's answers).

The stages keep their own rules (the segmenter's headline and byline
patterns, the checks' grammar of quantities, the termbase's
transliteration characters) and build them from these facts.
"""
