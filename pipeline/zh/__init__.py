"""Chinese text, defined once: what every stage knows about the script.

* :mod:`.script`: Han characters (:data:`~.script.HAN`, :func:`~.script.count_han`),
  CJK punctuation and the punctuation that ends a sentence or closes one;
* :mod:`.width`: the one fold of full-width forms to ASCII (``２０２４`` = ``2024``)
  and its inverse;
* :mod:`.numbers`: the one reader of Chinese numbers (十八, 三千五百万, 二〇二七,
  1100万) and the values a sentence mentions;
* :mod:`.words`: word boundaries, from jieba's dictionary.

The stages keep their own rules (the segmenter's headline and byline
patterns, the checks' measure words, the termbase's transliteration
characters) and build them from these facts.
"""
