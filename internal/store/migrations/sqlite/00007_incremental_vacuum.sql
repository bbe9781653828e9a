-- +goose NO TRANSACTION
-- +goose Up
-- Let PruneExpired give the pages of pruned rows back to the file system
-- (PRAGMA incremental_vacuum) instead of keeping the file at the size of its
-- largest backlog. auto_vacuum changes only with a VACUUM, which rewrites the
-- file once: on a large database this migration takes a while.
PRAGMA auto_vacuum = INCREMENTAL;
VACUUM;

-- +goose Down
PRAGMA auto_vacuum = NONE;
VACUUM;
