"""`make bench`: a large dataset, gunicorn with two workers, wrk as the load generator."""
