-- A segment snapshot's members as pages: one row per 1,000 customer ids, in customer order, instead
-- of a row (and a primary-key entry) per member. A snapshot is written once, when a send starts and
-- before any of it can go, and read in order, a chunk at a time; nothing looks a single member up.
-- A 1,000,000-member snapshot was a million rows and index entries, 3.5 s of PostgreSQL's time in
-- the campaign-fanout bench; in a test table a million members took 2.9–3.5 s as rows and
-- 0.9–1.1 s as pages. The pages are stored uncompressed (EXTERNAL): ids do not compress, and a test
-- of a million came to the same 32 MB and the same time either way.
--
-- The existing snapshots are copied into pages, then their rows are dropped. This takes a moment
-- per million members; every node stops for it (a node still running the code before it would not
-- find the table it reads).
CREATE TABLE audience_snapshot_pages
(
  snapshot_id UUID   NOT NULL,
  -- the page's greatest member: a walk after a customer starts at the first page past it
  last_id     UUID   NOT NULL,
  members     UUID[] NOT NULL,
  PRIMARY KEY (snapshot_id, last_id)
);
ALTER TABLE audience_snapshot_pages ALTER COLUMN members SET STORAGE EXTERNAL;
ALTER TABLE audience_snapshot_pages ALTER COLUMN members SET STATISTICS 0;

-- every page holds 1,000 members but a snapshot's last (a walk reads as many pages as its limit needs)
INSERT INTO audience_snapshot_pages (snapshot_id, last_id, members)
SELECT g.snapshot_id, g.a[cardinality(g.a)], g.a
  FROM (SELECT m.snapshot_id, array_agg(m.customer_id ORDER BY m.customer_id) AS a
          FROM (SELECT snapshot_id, customer_id,
                       (row_number() OVER (PARTITION BY snapshot_id ORDER BY customer_id) - 1) / 1000 AS page
                  FROM audience_snapshot_members) m
         GROUP BY m.snapshot_id, m.page) g;

DROP TABLE audience_snapshot_members;
