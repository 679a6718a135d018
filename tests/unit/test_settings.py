import pytest

from chekara.config import DEFAULT_SECRET_KEY, InsecureSettingsError, Settings


def test_development_may_use_the_default_secret():
    assert Settings(env="development", secret_key=DEFAULT_SECRET_KEY).secret_key == DEFAULT_SECRET_KEY


@pytest.mark.parametrize("env", ["production", "test"])
def test_outside_development_the_default_secret_is_refused(env):
    with pytest.raises(InsecureSettingsError, match="CHEKARA_SECRET_KEY"):
        Settings(env=env, secret_key=DEFAULT_SECRET_KEY)


def test_production_needs_a_long_secret():
    with pytest.raises(InsecureSettingsError, match="32 characters"):
        Settings(env="production", secret_key="short")
    assert Settings(env="production", secret_key="s" * 40).env == "production"


def test_external_database_url_gets_the_psycopg_driver():
    s = Settings(database_url="postgresql://u:p@db:5432/chekara")
    assert s.sqlalchemy_url() == "postgresql+psycopg://u:p@db:5432/chekara"
    assert s.sqlalchemy_url("other").endswith("@db:5432/other")
    assert not s.uses_embedded_database


def test_embedded_database_url_uses_the_socket():
    s = Settings(database_url=None, pg_port=55999)
    assert "port=55999" in s.sqlalchemy_url() and "host=" in s.sqlalchemy_url()
    assert s.uses_embedded_database
