/* features: the tables that bind every capability into the program. */
#include "features/features.h"
#include "features/admin/admin.h"
#include "features/catalog/catalog.h"
#include "features/complaints/complaints.h"
#include "features/contacts/contacts.h"
#include "features/customers/customers.h"
#include "features/kpi/kpi.h"
#include "features/mail/mail.h"
#include "features/network/network.h"
#include "features/outbox/outbox.h"
#include "features/orders/orders.h"
#include "features/parts/parts.h"
#include "features/portal/portal.h"
#include "features/kb/kb.h"
#include "features/prices/prices.h"
#include "features/repairs/repairs.h"
#include "features/session/session.h"
#include "features/surveys/surveys.h"
#include "features/campaigns/campaigns.h"
#include "features/research/research.h"
#include "features/system/system.h"
#include "features/warranty/warranty.h"

const struct route *const feature_routes[] = {
    system_routes,
    session_routes,
    customers_routes,
    network_routes,
    kpi_routes,
    kpi_ranking_routes,
    catalog_routes,
    warranty_routes,
    repairs_routes,
    prices_routes,
    parts_routes,
    complaints_routes,
    outbox_routes,
    contacts_routes,
    mail_routes,
    portal_routes,
    orders_routes,
    kb_routes,
    surveys_routes,
    campaigns_routes,
    research_routes,
    admin_routes,
    admin_account_routes,
    admin_session_routes,
    admin_me_routes,
    admin_token_routes,
    NULL,
};

const struct history_source feature_history[] = {
    {"warranty", "SELECT u.registered_at, u.serial, m.name || ' · ' || COALESCE(u.warranty_until, '')"
                 " FROM units u JOIN models m ON m.id = u.model_id"
                 " WHERE u.customer_id = ? AND u.registered_at IS NOT NULL"},
    {"repair", "SELECT r.registered_at, r.code, r.status || ' · ' || COALESCE(m.name, '') || ' · '"
               " || COALESCE(r.fault, '') FROM repairs r LEFT JOIN models m ON m.id = r.model_id"
               " WHERE r.customer_id = ?"},
    {"complaint", "SELECT k.received_at, k.code, k.status || ' · ' || k.text FROM complaints k"
                  " WHERE k.customer_id = ?"},
    {"order", "SELECT o.placed_at, o.code, o.status || ' · ' || CAST(o.total_fen AS TEXT) || ' fen'"
              " FROM orders o WHERE o.customer_id = ?"},
    {"feedback", "SELECT f.received_at, f.code, f.category || ' · ' || f.text FROM feedback f"
                 " WHERE f.customer_id = ?"},
    {"contact", "SELECT c.started_at, c.code, c.channel || ' · ' || c.direction || ' · '"
                " || COALESCE(c.reason, '') || ' · ' || COALESCE(c.outcome, '') || ' · '"
                " || COALESCE(c.subject, '') FROM contacts c WHERE c.customer_id = ?"},
    {"survey", "SELECT v.created_at, v.code, v.kind || ' · ' || v.channel || ' · ' || v.status"
               " || COALESCE(' · ' || CAST(v.q_overall AS TEXT) || '/5', '') FROM surveys v"
               " WHERE v.customer_id = ?"},
    {0},
};

const char *const feature_customer_moves[] = {
    "UPDATE units SET customer_id = ? WHERE customer_id = ?",
    "UPDATE repairs SET customer_id = ? WHERE customer_id = ?",
    "UPDATE outbox SET customer_id = ? WHERE customer_id = ?",
    "UPDATE complaints SET customer_id = ? WHERE customer_id = ?",
    "UPDATE orders SET customer_id = ? WHERE customer_id = ?",
    "UPDATE feedback SET customer_id = ? WHERE customer_id = ?",
    "UPDATE contacts SET customer_id = ? WHERE customer_id = ?",
    "UPDATE mail_messages SET customer_id = ? WHERE customer_id = ?",
    "UPDATE cti_calls SET customer_id = ? WHERE customer_id = ?",
    "UPDATE callbacks SET customer_id = ? WHERE customer_id = ?",
    "UPDATE surveys SET customer_id = ? WHERE customer_id = ?",
    NULL,
};

const char *const feature_customer_erasures[] = {
    "DELETE FROM mail_attachments WHERE message_id IN (SELECT id FROM mail_messages WHERE customer_id IN"
    " (SELECT id FROM customers WHERE id = ? OR merged_into = ?))",
    "UPDATE mail_messages SET from_addr = '', from_name = '', to_addr = '', subject = '', body_text = '',"
    " body_html = NULL, headers = '[]', raw = '' WHERE customer_id IN"
    " (SELECT id FROM customers WHERE id = ? OR merged_into = ?)",
    "UPDATE outbox SET recipient = '', payload = '{}', last_error = 'erased',"
    " status = CASE WHEN status IN ('queued', 'retry') THEN 'failed' ELSE status END WHERE customer_id IN"
    " (SELECT id FROM customers WHERE id = ? OR merged_into = ?)",
    "UPDATE complaints SET text = '', resolution_note = NULL WHERE customer_id IN"
    " (SELECT id FROM customers WHERE id = ? OR merged_into = ?)",
    "UPDATE orders SET contact_name = '', contact_phone = '', address = NULL, note = NULL"
    " WHERE customer_id IN (SELECT id FROM customers WHERE id = ? OR merged_into = ?)",
    "UPDATE feedback SET text = '', contact = NULL WHERE customer_id IN"
    " (SELECT id FROM customers WHERE id = ? OR merged_into = ?)",
    "UPDATE contacts SET address = NULL, subject = NULL, body = NULL WHERE customer_id IN"
    " (SELECT id FROM customers WHERE id = ? OR merged_into = ?)",
    "UPDATE cti_calls SET from_number = '', to_number = '' WHERE customer_id IN"
    " (SELECT id FROM customers WHERE id = ? OR merged_into = ?)",
    "UPDATE callbacks SET number = '' WHERE customer_id IN"
    " (SELECT id FROM customers WHERE id = ? OR merged_into = ?)",
    "UPDATE surveys SET comment = NULL WHERE customer_id IN"
    " (SELECT id FROM customers WHERE id = ? OR merged_into = ?)",
    "UPDATE research_answers SET text = NULL WHERE text IS NOT NULL AND recipient_id IN (SELECT id"
    " FROM research_recipients WHERE customer_id IN (SELECT id FROM customers WHERE id = ? OR merged_into = ?))",
    NULL,
};

const char *const feature_repair_steps[] = {
    prices_decision_sql,
    NULL,
};

const feature_repair_hook feature_repair_hooks[] = {
    surveys_repair_step,
    NULL,
};

const feature_visit_hook feature_visit_hooks[] = {
    surveys_visit_done,
    NULL,
};

const struct csv_kind feature_csv[] = {
    {"customers", customers_import_csv, customers_export_csv, "code,name,phone,email,region,address[,lang]"},
    {"outlets", network_import_outlets, network_export_outlets,
     "code,name,type,grade,region,covers,product_lines,capacity,active"},
    {"models", catalog_import_models, catalog_export_models,
     "code,name,product_line,warranty_months,launched_on"},
    {"repairs", repairs_import_csv, repairs_export_csv,
     "code,customer,serial,model,outlet,kind,channel,status,received_at,repaired_at,delivered_at,"
     "cancelled_at,fault"},
    {"warehouses", parts_import_warehouses, parts_export_warehouses,
     "code,name,kind,region,outlet (kind: central|branch|outlet|third_party|overseas)"},
    {"parts", parts_import_parts, parts_export_parts,
     "number,description,models,price_fen,superseded_by,source[,description_en,serial_tracked]"},
    {"stock", parts_import_stock, NULL, "warehouse,part,qty (one receipt move per row)"},
    {"prices", prices_import_csv, prices_export_csv, "product_line,level,region,labour_fen"},
    {"price-caps", prices_import_caps_csv, prices_export_caps_csv,
     "product_line,level,region,cap_fen"},
    {"holidays", complaints_import_holidays, NULL, "day,kind,name (kind: holiday|makeup_workday)"},
    {"battery-serials", orders_import_battery_serials, NULL, "serial (serials of genuine batteries)"},
    {"accessories", orders_import_accessories, NULL,
     "part,kind[,sort] (parts on sale online; kind: battery|memory_card|accessory|product)"},
    {0},
};

const struct demo_step feature_demo[] = {
    {"staff", session_demo},
    {"customers", customers_demo},
    {"network", network_demo},
    {"catalog", catalog_demo},
    {"repairs", repairs_demo},
    {"parts", parts_demo},
    {"prices", prices_demo},
    {"complaints", complaints_demo},
    {"orders", orders_demo},
    {"contacts", contacts_demo},
    {"kb", kb_demo},
    {"surveys", surveys_demo},
    {"segment facts", campaigns_demo}, /* last: after the loads that set triggers aside */
    {0},
};
