-- catalog: launches announced when their time comes. An API upsert that sets a launch time ahead
-- schedules a db-scheduler task at that time (instance = the product's id) and notes the time here;
-- the task announces the product (ProductLaunched) only while launch_at still equals it, and notes
-- the launch it announced, so a second run or a restart announces nothing twice. CSV imports and the
-- demo catalog set neither column: a bulk load is not a launch.

-- the launch time an API upsert scheduled an announcement for (null: none)
ALTER TABLE catalog_products ADD COLUMN scheduled_launch_at TIMESTAMPTZ;
-- the launch time last announced (by the upsert that put the product on sale, or by the task)
ALTER TABLE catalog_products ADD COLUMN announced_launch_at TIMESTAMPTZ;
