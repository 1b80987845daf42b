-- A campaign whose audience is a segment (and that has no A/B test) no longer writes its recipients
-- as PLANNED before it decides them: its chunks walk the segment's snapshot in customer order and
-- insert each recipient's row once, decided. walking: the walk is not over; walk_after: the last
-- customer of the last round whose chunks all committed (a resumed run starts after it; a chunk
-- leaves out customers a round it did not see the end of had already written). planned_at (V13:
-- "set once every recipient is in campaigns_recipients") is then set when the walk begins.
ALTER TABLE campaigns_campaigns
  ADD COLUMN walking    BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN walk_after UUID;

-- A snapshot held by its caller (a campaign still walking it): its segment cannot be deleted until
-- the caller lets go, so no member is lost from under a send.
ALTER TABLE audience_snapshots
  ADD COLUMN held BOOLEAN NOT NULL DEFAULT false;
