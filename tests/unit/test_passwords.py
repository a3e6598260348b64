from argon2 import PasswordHasher

from lokalamal_app.auth import passwords


def test_short_and_common_passwords_are_refused_without_composition_rules():
    assert "minst 8" in passwords.password_problem("kort")
    assert "vanligt" in passwords.password_problem("password123")
    assert "vanligt" in passwords.password_problem("Lösenord123")
    assert passwords.password_problem("en lång mening utan siffror") is None
    assert passwords.password_problem("a" * 201) is not None


def test_hashes_are_argon2id_and_verify():
    stored = passwords.hash_password("rätt häst batteri")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "rätt häst batteri")
    assert not passwords.verify_password(stored, "fel")
    assert not passwords.verify_password("inte en hash", "fel")


def test_a_hash_with_old_parameters_needs_rehash():
    saved = passwords._hasher
    try:
        passwords.configure(
            {"ARGON2_TIME_COST": 2, "ARGON2_MEMORY_COST": 2048, "ARGON2_PARALLELISM": 1}
        )
        old = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("hemlis hemlis")
        assert passwords.needs_rehash(old)
        assert not passwords.needs_rehash(passwords.hash_password("hemlis hemlis"))
    finally:
        passwords._hasher = saved
