from django.urls import path

from alianza.protection import views

app_name = "protection"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("providers/", views.provider_list, name="provider_list"),
    path("victims/<int:participation_id>/", views.victim_detail, name="victim_detail"),
    path("victims/<int:participation_id>/screening/", views.screening_create, name="screening_create"),
    path("victims/<int:participation_id>/risk/", views.risk_create, name="risk_create"),
    path("victims/<int:participation_id>/consents/", views.consent_create, name="consent_create"),
    path("victims/<int:participation_id>/plans/", views.plan_create, name="plan_create"),
    path("victims/<int:participation_id>/services/", views.delivery_create, name="delivery_create"),
    path("victims/<int:participation_id>/referrals/", views.referral_create, name="referral_create"),
    path("victims/<int:participation_id>/referrals/override/", views.referral_override, name="referral_override"),
    path("consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("plans/<int:plan_id>/close/", views.plan_close, name="plan_close"),
    path("actions/<int:action_id>/done/", views.action_done, name="action_done"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path("exchange-queue/", views.transnational_queue, name="transnational_queue"),
    path("referrals/<int:referral_id>/dispatch/", views.referral_dispatch, name="referral_dispatch"),
    path("referrals/<int:referral_id>/<str:action>/", views.referral_transition, name="referral_transition"),
]
