"""Running an archive beyond one machine: executors behind
:func:`pipeline.runner.run_document`, Celery workers on Redis, and the
state they share in Redis.

- :mod:`.executor`: the executor interface (submit a document, hear its
  result and the run's progress, cancel) and today's local process pool
  behind it, the default;
- :mod:`.state`: what workers share in Redis, never in one process: the
  per-document lease, the global draft cache, the record of each run
  (queued, running, done, failed), and the broker URL's password masked
  in everything we print;
- :mod:`.celery_app`: the Celery application and its one task, a document;
- :mod:`.celery_executor`: ``pipeline run --executor celery``;
- :mod:`.worker`: ``pipeline worker``.

Nothing here imports Celery or redis-py at package import: the local
pipeline never loads them.
"""
