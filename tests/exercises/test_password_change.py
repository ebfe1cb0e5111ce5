"""/accounts/password/ (changing one's password while logged in) is the site's own page, in the
site's base.html like sign-up and password reset, not the Django admin's "Password change"
page with its admin header and styles (the admin's registration/ templates were found first)."""

from __future__ import annotations

from tests import factories


def test_the_password_change_page_is_the_sites_own(client, student):
    client.force_login(student)
    response = client.get("/accounts/password/")
    assert response.status_code == 200
    used = [t.name for t in response.templates]
    assert "base.html" in used
    assert not any(name.startswith("admin/") for name in used), used
    html = response.content.decode()
    assert "Django administration" not in html and "admin/css" not in html
    assert '<label for="id_old_password">' in html
    assert 'class="brand"' in html  # the site's header


def test_a_changed_password_works_and_the_done_page_is_the_sites_own(client, student):
    client.force_login(student)
    new = "a-new-Passw0rd-for-alice"
    response = client.post(
        "/accounts/password/",
        {"old_password": factories.PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/accounts/password/done/"
    used = [t.name for t in response.templates]
    assert "base.html" in used and not any(n.startswith("admin/") for n in used), used
    assert "Password changed" in response.content.decode()
    student.refresh_from_db()
    assert student.check_password(new)


def test_a_wrong_old_password_is_said_under_its_field(client, student):
    client.force_login(student)
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "x-Passw0rd-9", "new_password2": "x-Passw0rd-9"},
    )
    assert response.status_code == 200
    assert 'class="error" role="alert"' in response.content.decode()
