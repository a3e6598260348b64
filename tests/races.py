"""Requests released at the same moment, for the race tests.

Each runs in a thread of its own (a Flask test client request gets its own app context, so
its own database connection), and all wait at one barrier before they start. SQLite lets
one writer in at a time, so only PostgreSQL shows a race; the tests run on both.
"""

import threading

from lokalamal_app.extensions import db


def at_once(*work) -> list:
    """Run the callables together; what each returned, in the same order."""
    barrier = threading.Barrier(len(work))
    results: list = [None] * len(work)

    def run(side: int) -> None:
        barrier.wait(timeout=10)
        results[side] = work[side]()

    threads = [threading.Thread(target=run, args=(side,)) for side in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # End this session's read transaction: on SQLite it would still see the moment before.
    db.session.rollback()
    return results


def posts_at_once(*requests) -> list:
    """Send the (client, url[, form]) posts together; their responses, in order."""
    return at_once(*(
        lambda client=client, url=url, form=form: client.post(url, data=form[0] if form else None)
        for client, url, *form in requests))


def statuses_at_once(*requests) -> list[int]:
    """`posts_at_once`, the status codes only."""
    return [response.status_code for response in posts_at_once(*requests)]
