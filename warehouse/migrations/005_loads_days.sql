-- Days covered by each load of a day-grained table, so the row-count check compares rows per
-- day: an hourly 3-day re-pull after a daily 28-day one is not a drop in volume.
ALTER TABLE ops.loads ADD COLUMN IF NOT EXISTS days INTEGER;
