"""A scratch PostgreSQL database per benchmark run: created from ``DATABASE_URL``'s server,
dropped at the end, so a benchmark never touches a database someone uses."""

from __future__ import annotations

from urllib.parse import urlsplit


def admin_connection(url: str):
    """An autocommit connection to the server of ``url`` (its own database, else ``postgres``)."""
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        return psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=5)


def create_scratch_database(url: str, name: str) -> str:
    from psycopg import sql

    with admin_connection(url) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def drop_scratch_database(url: str, name: str) -> None:
    from psycopg import sql

    with admin_connection(url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
