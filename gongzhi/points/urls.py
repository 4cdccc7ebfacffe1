from django.urls import path

from .views import honour, merchant, resident, staff

app_name = "points"
urlpatterns = [
    # a resident's phone pages
    path("", resident.me_view, name="me"),
    path("ranking/", resident.ranking_choose_view, name="ranking_choose"),
    path("pay-code/", resident.paycode_view, name="paycode"),
    path("pay-code/new/", resident.paycode_new_view, name="paycode_new"),
    path("pay-code/<str:code>/state/", resident.paycode_state_view, name="paycode_state"),
    path("pay/<str:token>/", resident.pay_view, name="pay"),
    path("receipts/<int:transfer_id>/", resident.receipt_view, name="receipt"),
    path("earn/", resident.earn_view, name="earn"),
    path("shop/", resident.shop_view, name="shop"),
    path("shop/<int:item_id>/order/", resident.shop_order_view, name="shop_order"),
    path("shop/orders/", resident.my_orders_view, name="my_orders"),
    path("shop/orders/<int:order_id>/cancel/", resident.my_order_cancel_view, name="my_order_cancel"),
    path("nominate/", honour.nominate_view, name="nominate"),
    path("nominate/mine/", honour.my_nominations_view, name="my_nominations"),
    # the merchant's terminal
    path("terminal/", merchant.terminal_index_view, name="terminal"),
    path("terminal/<int:merchant_id>/", merchant.terminal_view, name="terminal_merchant"),
    path("terminal/<int:merchant_id>/receipts/", merchant.terminal_receipts_view, name="terminal_receipts"),
    path("terminal/<int:merchant_id>/code/", merchant.terminal_code_view, name="terminal_code"),
    path(
        "terminal/<int:merchant_id>/code/reissue/",
        merchant.terminal_code_reissue_view,
        name="terminal_code_reissue",
    ),
    path(
        "terminal/<int:merchant_id>/refund/<int:transfer_id>/",
        merchant.terminal_refund_view,
        name="terminal_refund",
    ),
    path(
        "terminal/<int:merchant_id>/statement/", merchant.terminal_statement_view, name="terminal_statement"
    ),
    path("merchants/<int:merchant_id>/statement.xlsx", merchant.statement_xlsx_view, name="statement_xlsx"),
    # staff workbench
    path("ledger/", staff.ledger_view, name="ledger"),
    path("ledger/export.xlsx", staff.ledger_export_view, name="ledger_export"),
    path("ledger/accounts/<int:account_id>/", staff.account_view, name="account"),
    path("ledger/transfers/<int:transfer_id>/", staff.transfer_view, name="transfer"),
    path("rules/", staff.rule_list_view, name="rules"),
    path("rules/new/", staff.rule_create_view, name="rule_create"),
    path("rules/<int:rule_id>/", staff.rule_edit_view, name="rule_edit"),
    path("budgets/", staff.budget_list_view, name="budgets"),
    path("budgets/new/", staff.budget_create_view, name="budget_create"),
    path("budgets/<int:budget_id>/", staff.budget_edit_view, name="budget_edit"),
    path("awards/", staff.award_list_view, name="awards"),
    path("awards/new/", staff.award_create_view, name="award_create"),
    path("awards/<int:award_id>/retry/", staff.award_retry_view, name="award_retry"),
    path("merchants/", staff.merchant_list_view, name="merchants"),
    path("merchants/<int:merchant_id>/", staff.merchant_view, name="merchant"),
    path("merchants/<int:merchant_id>/status/", staff.merchant_status_view, name="merchant_status"),
    path("merchants/<int:merchant_id>/settle/", staff.merchant_settle_view, name="merchant_settle"),
    path("shop/manage/", staff.shop_manage_view, name="shop_manage"),
    path("shop/manage/new/", staff.shop_item_create_view, name="shop_item_create"),
    path("shop/manage/<int:item_id>/", staff.shop_item_edit_view, name="shop_item_edit"),
    path("shop/manage/orders/<int:order_id>/hand-over/", staff.shop_hand_over_view, name="shop_hand_over"),
    path("shop/manage/orders/<int:order_id>/cancel/", staff.shop_cancel_view, name="shop_cancel"),
    path("nominations/", honour.nomination_list_view, name="nominations"),
    path("nominations/<int:nomination_id>/", honour.nomination_view, name="nomination"),
    path("nominations/<int:nomination_id>/photo", honour.nomination_photo_view, name="nomination_photo"),
    path(
        "nominations/<int:nomination_id>/withdraw/",
        honour.nomination_withdraw_view,
        name="nomination_withdraw",
    ),
    path("expiry/", staff.expiry_view, name="expiry"),
    # public: the honour roll "好样的！你" (no sign-in)
    path("honour/", honour.honour_view, name="honour"),
    path("honour/<int:nomination_id>/", honour.honour_story_view, name="honour_story"),
    path("honour/<int:nomination_id>/photo", honour.honour_photo_view, name="honour_photo"),
]
