"""The demo enterprise as data: business units, countries, models, their features and datasets.

Everything here is static; randomness (users, teams, dates, amounts) is drawn in the other modules
from the seed. Names are meant to read like a real portfolio so pages tell a believable story.
"""

from __future__ import annotations

from dataclasses import dataclass

BUSINESS_UNITS = ("Retail", "Finance", "Operations", "Marketing", "Supply Chain")

# ISO country code -> relative headcount weight
COUNTRIES = {
    "US": 14, "DE": 10, "GB": 8, "FR": 7, "ES": 4, "IT": 4, "NL": 3, "PL": 3, "SE": 2, "BR": 4,
    "MX": 3, "IN": 6, "JP": 4, "AU": 3, "CA": 4, "CH": 2, "BE": 2, "AT": 2, "DK": 1, "IE": 2,
    "PT": 1, "SG": 2,
}

TEAM_FUNCTIONS = {
    "Retail": ("Stores", "E-commerce", "Merchandising", "Pricing", "Ops"),
    "Finance": ("Risk", "Credit", "Payments", "Controlling", "Collections"),
    "Operations": ("Maintenance", "Service Desk", "Workforce", "Fleet", "People Ops"),
    "Marketing": ("CRM", "Growth", "Campaigns", "Insights", "Loyalty"),
    "Supply Chain": ("Planning", "Logistics", "Procurement", "Warehousing", "Fulfilment"),
}

PEOPLE = (
    "Anna Schmidt", "Ben Carter", "Chloé Martin", "David Kim", "Elena Rossi", "Farid Haddad",
    "Grace Liu", "Hannah Berg", "Ivan Petrov", "Julia Nowak", "Kenji Sato", "Laura Gómez",
    "Marco Bianchi", "Nina Larsen", "Omar Aziz", "Priya Nair", "Quentin Dubois", "Rosa Silva",
    "Sven Andersson", "Tara O'Neill", "Umar Sheikh", "Vera Novak", "William Brown", "Xin Zhao",
    "Yara Costa", "Zoe Fischer",
)

FINANCE_ANALYSTS = ("Elena Rossi", "Ben Carter", "Priya Nair", "Marco Bianchi")


@dataclass(frozen=True)
class Feature:
    """One model input. ``dist`` is normal | lognormal | poisson | binary | uniform | cat.

    normal: a=mean, b=sd; lognormal: a=mu, b=sigma; poisson: a=lambda (+ offset b);
    binary: a=p(1); uniform: a=low, b=high; cat: ``cats`` with ``probs``.
    """

    name: str
    dataset: str
    dist: str
    a: float = 0.0
    b: float = 1.0
    cats: tuple[str, ...] = ()
    probs: tuple[float, ...] = ()
    decimals: int = 2


def N(name, ds, mean, sd, decimals=2):  # noqa: N802 - tiny constructors keep the table readable
    return Feature(name, ds, "normal", mean, sd, decimals=decimals)


def LN(name, ds, mu, sigma, decimals=2):  # noqa: N802
    return Feature(name, ds, "lognormal", mu, sigma, decimals=decimals)


def P(name, ds, lam, offset=0.0):  # noqa: N802
    return Feature(name, ds, "poisson", lam, offset, decimals=0)


def B(name, ds, p):  # noqa: N802
    return Feature(name, ds, "binary", p, decimals=0)


def U(name, ds, lo, hi, decimals=2):  # noqa: N802
    return Feature(name, ds, "uniform", lo, hi, decimals=decimals)


def C(name, ds, cats, probs):  # noqa: N802
    return Feature(name, ds, "cat", cats=tuple(cats), probs=tuple(probs))


@dataclass(frozen=True)
class ModelSpec:
    model_id: str
    name: str
    business_unit: str
    task: str  # classification | regression
    stage: str  # production | pilot | retired
    risk_tier: str
    description: str
    benefit: str  # incremental_revenue | cost_savings
    features: tuple[Feature, ...]
    value_usd: float = 30_000.0  # monthly benefit at full adoption
    pays_off: bool = True
    sensitive_attribute: str | None = None
    rate: float = 4.0  # predictions per active user per day
    base_rate: float = 0.2  # positive share for classifiers
    level: float = 100.0  # typical prediction for regressors
    always_on: bool = False  # automated traffic: weekends as busy as weekdays


MODELS: tuple[ModelSpec, ...] = (
    # ------------------------------------------------------------------ Retail
    ModelSpec("basket_recommender", "Basket recommender", "Retail", "classification", "production",
              "medium", "Recommends add-on products at checkout from the current basket.",
              "incremental_revenue",
              (P("basket_size", "pos_transactions", 3.5, 1), LN("session_minutes", "web_sessions", 2.0, 0.6),
               P("days_since_last_visit", "web_sessions", 9.0),
               C("device", "web_sessions", ("mobile", "desktop", "tablet"), (0.62, 0.31, 0.07)),
               C("channel", "web_sessions", ("app", "web", "store_kiosk"), (0.5, 0.4, 0.1))),
              value_usd=95_000, rate=9.0, base_rate=0.18, always_on=True),
    ModelSpec("price_optimizer", "Price optimizer", "Retail", "regression", "production", "medium",
              "Suggests shelf prices per product and store within guard rails.", "incremental_revenue",
              (N("competitor_price", "product_catalog", 24.0, 6.0), N("elasticity", "pos_transactions", -1.4, 0.35),
               P("stock_days", "inventory_snapshots", 20), U("margin_target", "product_catalog", 0.15, 0.45),
               C("category", "product_catalog", ("grocery", "apparel", "electronics", "home"), (0.45, 0.2, 0.15, 0.2))),
              value_usd=70_000, rate=3.0, level=24.0),
    ModelSpec("store_footfall_forecast", "Store footfall forecast", "Retail", "regression", "production", "low",
              "Forecasts visitors per store and hour for staffing.", "cost_savings",
              (P("hour_of_day", "pos_transactions", 13), B("holiday_flag", "store_master", 0.04),
               N("temperature", "weather_feed", 14, 8, 1), C("store_type", "store_master", ("mall", "high_street", "outlet"), (0.4, 0.45, 0.15))),
              value_usd=28_000, rate=2.0, level=420.0),
    ModelSpec("markdown_planner", "Markdown planner", "Retail", "regression", "pilot", "low",
              "Plans end-of-season markdowns per product line.", "incremental_revenue",
              (N("weeks_to_season_end", "product_catalog", 6, 3, 0), N("sell_through", "pos_transactions", 0.55, 0.15),
               P("stock_units", "inventory_snapshots", 140), C("category", "product_catalog", ("apparel", "home", "electronics"), (0.6, 0.25, 0.15))),
              value_usd=22_000, rate=1.5, level=0.18),
    ModelSpec("visual_search", "Visual product search", "Retail", "classification", "pilot", "low",
              "Matches customer photos to catalogue products.", "incremental_revenue",
              (U("image_quality", "web_sessions", 0.2, 1.0), P("n_candidates", "product_catalog", 30),
               C("device", "web_sessions", ("mobile", "desktop"), (0.85, 0.15)),
               C("category", "product_catalog", ("apparel", "home", "electronics"), (0.5, 0.3, 0.2))),
              value_usd=4_000, pays_off=False, rate=2.0, base_rate=0.35),
    # ----------------------------------------------------------------- Finance
    ModelSpec("credit_risk_scoring", "Credit risk scoring", "Finance", "classification", "production", "high",
              "Probability of default for consumer loan applications.", "cost_savings",
              (LN("income", "loan_applications", 10.8, 0.45, 0), LN("loan_amount", "loan_applications", 9.4, 0.7, 0),
               N("debt_to_income", "loan_applications", 0.32, 0.12, 3), P("employment_years", "customer_profiles", 6),
               C("gender", "customer_profiles", ("female", "male", "non_binary"), (0.48, 0.50, 0.02)),
               C("age_band", "customer_profiles", ("18-25", "26-40", "41-60", "60+"), (0.16, 0.42, 0.32, 0.10))),
              value_usd=85_000, sensitive_attribute="gender", rate=3.0, base_rate=0.12),
    ModelSpec("fraud_detection", "Card fraud detection", "Finance", "classification", "production", "high",
              "Scores card payments for fraud in real time.", "cost_savings",
              (LN("amount", "payment_events", 3.6, 1.1), U("merchant_risk", "payment_events", 0.0, 1.0, 3),
               P("tx_last_hour", "payment_events", 1.2), B("card_present", "payment_events", 0.55),
               C("merchant_category", "payment_events", ("grocery", "travel", "online", "fuel", "other"), (0.3, 0.1, 0.35, 0.1, 0.15)),
               C("country_match", "payment_events", ("yes", "no"), (0.93, 0.07))),
              value_usd=120_000, rate=14.0, base_rate=0.03, always_on=True),
    ModelSpec("invoice_matching", "Invoice matching", "Finance", "classification", "production", "low",
              "Matches supplier invoices to purchase orders.", "cost_savings",
              (LN("invoice_amount", "ledger_entries", 7.5, 1.2), N("days_to_due", "ledger_entries", 30, 10, 0),
               U("text_similarity", "ledger_entries", 0.0, 1.0, 3), C("currency", "ledger_entries", ("EUR", "USD", "GBP"), (0.5, 0.35, 0.15))),
              value_usd=26_000, rate=5.0, base_rate=0.8),
    ModelSpec("collections_prioritizer", "Collections prioritizer", "Finance", "classification", "pilot", "medium",
              "Ranks overdue accounts by likelihood to pay after contact.", "cost_savings",
              (P("days_overdue", "ledger_entries", 35), LN("balance", "ledger_entries", 7.0, 0.9),
               P("contacts_last_90d", "call_center_tickets", 2), C("segment", "customer_profiles", ("consumer", "smb"), (0.7, 0.3))),
              value_usd=18_000, rate=2.0, base_rate=0.4),
    ModelSpec("cash_flow_forecast", "Cash-flow forecast", "Finance", "regression", "retired", "medium",
              "Weekly cash position forecast (replaced by the treasury platform).", "cost_savings",
              (LN("receivables", "ledger_entries", 13.0, 0.3, 0), LN("payables", "ledger_entries", 12.8, 0.3, 0),
               N("week_of_year", "ledger_entries", 26, 14, 0), B("quarter_end", "ledger_entries", 0.08)),
              value_usd=20_000, rate=1.0, level=1.2e6),
    # -------------------------------------------------------------- Operations
    ModelSpec("predictive_maintenance", "Predictive maintenance", "Operations", "classification", "production", "medium",
              "Flags machines likely to fail within 7 days.", "cost_savings",
              (N("vibration_rms", "sensor_telemetry", 2.1, 0.6, 3), N("bearing_temp", "sensor_telemetry", 61, 3, 1),
               P("hours_since_service", "sensor_telemetry", 300), N("load_pct", "sensor_telemetry", 0.7, 0.12, 3),
               C("machine_type", "sensor_telemetry", ("conveyor", "press", "pump", "compressor"), (0.35, 0.2, 0.3, 0.15))),
              value_usd=55_000, rate=6.0, base_rate=0.06, always_on=True),
    ModelSpec("workforce_scheduler", "Workforce scheduler", "Operations", "regression", "production", "low",
              "Forecasts staff hours needed per site and shift.", "cost_savings",
              (P("open_orders", "shipment_tracking", 90), B("holiday_flag", "store_master", 0.04),
               N("absence_rate", "hr_records", 0.06, 0.02, 3), C("shift", "hr_records", ("early", "late", "night"), (0.45, 0.4, 0.15))),
              value_usd=32_000, rate=2.0, level=160.0),
    ModelSpec("hr_attrition_risk", "HR attrition risk", "Operations", "classification", "pilot", "high",
              "Predicts voluntary attrition to target retention conversations.", "cost_savings",
              (P("tenure_months", "hr_records", 40), N("engagement_score", "hr_records", 3.6, 0.7, 2),
               P("overtime_hours", "hr_records", 12), C("gender", "hr_records", ("female", "male", "non_binary"), (0.46, 0.52, 0.02)),
               C("job_level", "hr_records", ("junior", "mid", "senior"), (0.4, 0.4, 0.2))),
              value_usd=16_000, sensitive_attribute="gender", rate=1.0, base_rate=0.1),
    ModelSpec("route_optimizer", "Route optimizer", "Operations", "regression", "production", "low",
              "Suggests delivery routes; drivers often override it.", "cost_savings",
              (P("n_stops", "shipment_tracking", 22), N("distance_km", "shipment_tracking", 140, 40, 1),
               N("traffic_index", "weather_feed", 1.0, 0.25, 2), C("vehicle", "shipment_tracking", ("van", "truck", "bike"), (0.6, 0.3, 0.1))),
              value_usd=9_000, pays_off=False, rate=2.5, level=6.5),
    ModelSpec("ticket_triage", "Service ticket triage", "Operations", "classification", "retired", "low",
              "Routed service-desk tickets (replaced by the vendor's built-in triage).", "cost_savings",
              (P("n_words", "call_center_tickets", 80), B("has_attachment", "call_center_tickets", 0.3),
               C("channel", "call_center_tickets", ("email", "portal", "phone"), (0.5, 0.35, 0.15)),
               C("priority", "call_center_tickets", ("low", "medium", "high"), (0.5, 0.35, 0.15))),
              value_usd=14_000, rate=3.0, base_rate=0.3),
    # --------------------------------------------------------------- Marketing
    ModelSpec("churn_propensity", "Churn propensity", "Marketing", "classification", "production", "medium",
              "Probability that a subscriber cancels within 60 days.", "incremental_revenue",
              (P("account_tenure_months", "crm_accounts", 28), LN("monthly_spend", "crm_accounts", 3.9, 0.45),
               P("support_tickets", "call_center_tickets", 1.1),
               C("plan", "crm_accounts", ("basic", "plus", "premium"), (0.5, 0.35, 0.15)),
               C("region", "customer_profiles", ("north", "south", "east", "west"), (0.28, 0.24, 0.22, 0.26))),
              value_usd=80_000, rate=4.0, base_rate=0.14),
    ModelSpec("lead_scoring", "Lead scoring", "Marketing", "classification", "production", "low",
              "Ranks inbound B2B leads for the sales team.", "incremental_revenue",
              (P("page_views", "web_sessions", 7), P("company_size", "customer_profiles", 120),
               B("demo_requested", "web_sessions", 0.12), C("source", "marketing_campaigns", ("organic", "paid", "referral", "event"), (0.4, 0.3, 0.2, 0.1))),
              value_usd=40_000, rate=3.0, base_rate=0.09),
    ModelSpec("campaign_uplift", "Campaign uplift", "Marketing", "classification", "pilot", "low",
              "Targets customers whose purchase probability rises with a campaign.", "incremental_revenue",
              (P("purchases_12m", "pos_transactions", 5), P("days_since_purchase", "pos_transactions", 40),
               B("email_opt_in", "email_engagement", 0.65), C("segment", "customer_profiles", ("value", "core", "premium"), (0.4, 0.45, 0.15))),
              value_usd=20_000, rate=1.5, base_rate=0.07),
    ModelSpec("customer_lifetime_value", "Customer lifetime value", "Marketing", "regression", "production", "medium",
              "Predicts 24-month customer value for budget allocation.", "incremental_revenue",
              (P("orders_12m", "pos_transactions", 6), LN("avg_order_value", "pos_transactions", 3.7, 0.5),
               P("account_tenure_months", "crm_accounts", 30), C("acquisition_channel", "marketing_campaigns", ("search", "social", "store", "referral"), (0.35, 0.25, 0.3, 0.1))),
              value_usd=45_000, rate=2.0, level=640.0),
    ModelSpec("email_send_time", "Email send-time optimizer", "Marketing", "classification", "retired", "low",
              "Picked the hour to send newsletters (retired: no measurable lift).", "incremental_revenue",
              (P("opens_30d", "email_engagement", 4), N("preferred_hour", "email_engagement", 12, 4, 0),
               C("device", "email_engagement", ("mobile", "desktop"), (0.7, 0.3)), B("weekend_reader", "email_engagement", 0.3)),
              value_usd=3_000, pays_off=False, rate=2.0, base_rate=0.2),
    # ------------------------------------------------------------ Supply Chain
    ModelSpec("demand_forecast", "Demand forecast", "Supply Chain", "regression", "production", "medium",
              "Daily unit demand per product and store.", "cost_savings",
              (N("price", "product_catalog", 12.0, 4.0), B("promo_flag", "marketing_campaigns", 0.15),
               N("temperature", "weather_feed", 12, 3, 1),
               C("store_type", "store_master", ("hypermarket", "supermarket", "convenience"), (0.25, 0.5, 0.25))),
              value_usd=110_000, rate=6.0, level=48.0, always_on=True),
    ModelSpec("inventory_replenishment", "Inventory replenishment", "Supply Chain", "regression", "production", "medium",
              "Recommends order quantities per SKU and warehouse.", "cost_savings",
              (P("on_hand_units", "inventory_snapshots", 220), P("lead_time_days", "supplier_master", 9),
               N("forecast_units", "inventory_snapshots", 180, 50, 0), C("abc_class", "inventory_snapshots", ("A", "B", "C"), (0.2, 0.3, 0.5))),
              value_usd=60_000, rate=3.0, level=150.0),
    ModelSpec("supplier_risk", "Supplier risk", "Supply Chain", "classification", "pilot", "medium",
              "Probability that a supplier misses delivery commitments next quarter.", "cost_savings",
              (N("on_time_rate", "supplier_master", 0.9, 0.06, 3), P("open_pos", "supplier_master", 25),
               N("financial_score", "supplier_master", 62, 12, 0), C("tier", "supplier_master", ("strategic", "preferred", "spot"), (0.2, 0.5, 0.3))),
              value_usd=5_000, pays_off=False, rate=1.0, base_rate=0.15),
    ModelSpec("eta_prediction", "Shipment ETA prediction", "Supply Chain", "regression", "production", "low",
              "Predicts arrival time of inbound shipments (hours).", "cost_savings",
              (N("distance_km", "shipment_tracking", 800, 300, 0), P("border_crossings", "shipment_tracking", 1),
               N("port_congestion", "shipment_tracking", 0.5, 0.2, 2), C("mode", "shipment_tracking", ("road", "rail", "sea"), (0.6, 0.15, 0.25))),
              value_usd=30_000, rate=4.0, level=36.0, always_on=True),
    ModelSpec("warehouse_slotting", "Warehouse slotting", "Supply Chain", "regression", "pilot", "low",
              "Suggests pick-face locations to cut walking distance.", "cost_savings",
              (P("picks_per_day", "inventory_snapshots", 60), N("item_volume_l", "product_catalog", 4, 2),
               B("fragile", "product_catalog", 0.1), C("zone", "inventory_snapshots", ("A", "B", "C", "D"), (0.3, 0.3, 0.2, 0.2))),
              value_usd=15_000, rate=1.5, level=12.0),
)

MODEL_INDEX = {m.model_id: i for i, m in enumerate(MODELS)}


@dataclass(frozen=True)
class DatasetSpec:
    dataset_id: str
    name: str
    domain: str
    source_system: str
    description: str | None
    is_pii: bool
    regulations: tuple[str, ...]
    retention_days: int
    freshness_sla_hours: float
    daily_rows: int
    table_name: str | None = None
    has_steward: bool = True
    has_owner: bool = True


DATASETS: tuple[DatasetSpec, ...] = (
    DatasetSpec("crm_accounts", "CRM accounts", "customer", "salesforce",
                "Subscriber accounts with plan, tenure and monthly spend (nightly extract).", True,
                ("GDPR", "CCPA"), 2555, 26, 180_000, "features"),
    DatasetSpec("pos_transactions", "Point-of-sale transactions", "sales", "pos",
                "Till transactions from every store, line-item level.", False, ("SOC2",), 1825, 26, 2_400_000,
                "features"),
    DatasetSpec("web_sessions", "Web and app sessions", "digital", "web_analytics",
                "Clickstream sessions from web shop and mobile app.", True, ("GDPR", "CCPA"), 395, 6, 1_600_000,
                "features"),
    DatasetSpec("loan_applications", "Loan applications", "credit", "core_banking",
                "Consumer loan applications with declared income and amounts.", True, ("GDPR", "SOC2"), 3650, 26,
                9_000, "features"),
    DatasetSpec("weather_feed", "Weather feed", "external", "weather_api",
                "Hourly temperature and precipitation per store location.", False, (), 730, 3, 52_000, "features"),
    DatasetSpec("inventory_snapshots", "Inventory snapshots", "supply", "sap",
                "End-of-day stock per SKU and location.", False, ("SOC2",), 1095, 26, 850_000),
    DatasetSpec("payment_events", "Card payment events", "payments", "payment_gateway",
                "Authorisation events from the card gateway.", True, ("GDPR", "SOC2"), 2555, 1, 3_100_000,
                "features"),
    DatasetSpec("customer_profiles", "Customer profiles", "customer", "salesforce",
                "Golden customer record with demographics.", True, ("GDPR", "CCPA"), 2555, 26, 60_000),
    DatasetSpec("hr_records", "HR records", "people", "workday", "Employee master data and engagement survey.",
                True, ("GDPR",), 3650, 50, 2_000, has_steward=False),
    DatasetSpec("supplier_master", "Supplier master", "procurement", "sap", None, False, ("SOC2",), 3650, 50,
                1_200, has_steward=False),
    DatasetSpec("shipment_tracking", "Shipment tracking", "logistics", "tms",
                "Carrier status events for inbound and outbound shipments.", False, (), 730, 6, 140_000),
    DatasetSpec("sensor_telemetry", "Machine sensor telemetry", "manufacturing", "iot_hub",
                "Vibration, temperature and load readings per machine (1-minute aggregates).", False, (), 365, 2,
                4_300_000, "features"),
    DatasetSpec("marketing_campaigns", "Marketing campaigns", "marketing", "marketing_cloud",
                "Campaign calendar, audiences and promotions.", False, ("CCPA",), 1095, 26, 3_500),
    DatasetSpec("store_master", "Store master", "sales", "sap", "Store attributes and opening calendar.", False,
                (), 3650, 170, 900),
    DatasetSpec("ledger_entries", "General ledger entries", "finance", "sap",
                "Posted journal lines: invoices, payments and accruals.", False, ("SOC2",), 3650, 26, 210_000),
    DatasetSpec("call_center_tickets", "Call-centre tickets", "service", "zendesk", None, True, ("GDPR",), 730, 26,
                25_000, has_owner=False),
    DatasetSpec("product_catalog", "Product catalogue", "sales", "pim", "Products, categories, list prices.",
                False, (), 3650, 50, 40_000),
    DatasetSpec("email_engagement", "Email engagement", "marketing", "marketing_cloud",
                "Opens and clicks per newsletter recipient.", True, ("GDPR", "CCPA"), 395, 26, 300_000,
                has_steward=False),
)

DATASET_INDEX = {d.dataset_id: i for i, d in enumerate(DATASETS)}

USAGE_EVENT_MIX = (("invoke", 0.46), ("view", 0.34), ("accept", 0.14), ("override", 0.06))
