-- Up Migration
-- Which coordinator owns each saga (= order). The first claim wins and is never moved (ADR 0011):
-- a coordinator that reads an OrderCreated whose saga another one owns starts nothing.
CREATE TABLE saga_owners (
  saga_id     text        PRIMARY KEY,
  owner       text        NOT NULL,
  claimed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saga_owners_owner ON saga_owners (owner);

-- Down Migration
DROP TABLE saga_owners;
