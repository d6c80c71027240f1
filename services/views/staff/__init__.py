"""The staff workbench (/staff/): village clerks, town-center clerks and officials.

One module per part of the work, each with its own ``urlpatterns`` (joined in
``services/urls_staff.py``): the queue and the case page (``cases``), walk-in and phone
entry (``entry``), 定时代办 trips (``trips``), 上门特办 visits (``visits``) and 差评
follow-ups (``follow_ups``). Who may see and do what is ``services.access``; every write
is an action; these views only translate between the page and them.
"""
