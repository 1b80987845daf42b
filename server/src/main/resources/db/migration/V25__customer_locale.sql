-- the language a customer reads (campaign and trigger templates are chosen by it); null: the merchant's default, zh-CN
ALTER TABLE identity_customers ADD COLUMN locale TEXT CHECK (locale IN ('zh-CN', 'en'));
