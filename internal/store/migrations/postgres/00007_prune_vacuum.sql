-- +goose Up
-- The jti table takes a row per direct-link open and loses it a few minutes
-- later: let autovacuum reclaim its dead rows after 5 % of the table changed
-- (the default waits for 20 %).
ALTER TABLE direct_link_jtis SET (autovacuum_vacuum_scale_factor = 0.05);

-- +goose Down
ALTER TABLE direct_link_jtis RESET (autovacuum_vacuum_scale_factor);
