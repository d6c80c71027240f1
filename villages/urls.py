"""The resident's account: /account/…"""

from django.urls import path

from . import second_factor_views, views

app_name = "account"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("register/", views.register, name="register"),
    path("register/verify/", views.register_verify, name="register_verify"),
    path("password-reset/", views.password_reset, name="reset"),
    path("password-reset/verify/", views.password_reset_verify, name="reset_verify"),
    # Staff: the second factor (villages/second_factor.py)
    path("second-factor/", second_factor_views.overview, name="second_factor"),
    path("second-factor/setup/", second_factor_views.setup, name="second_factor_setup"),
    path(
        "second-factor/verify/", second_factor_views.verify, name="second_factor_verify"
    ),
]
