-- Up Migration
-- Stock per sku. Conservation: on_hand + reserved + committed = seeded, always.
CREATE TABLE products (
  sku        text   PRIMARY KEY,
  on_hand    int    NOT NULL CHECK (on_hand >= 0),
  reserved   int    NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  committed  int    NOT NULL DEFAULT 0 CHECK (committed >= 0),
  seeded     int    NOT NULL,
  CHECK (on_hand + reserved + committed = seeded)
);

-- What each saga (order) holds, per sku.
CREATE TABLE reservations (
  order_id   text   NOT NULL,
  sku        text   NOT NULL REFERENCES products (sku),
  quantity   int    NOT NULL CHECK (quantity > 0),
  status     text   NOT NULL CHECK (status IN ('RESERVED', 'RELEASED', 'COMMITTED')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, sku)
);

-- Orders whose stock was released: a ReserveStock arriving after its compensation must not act.
CREATE TABLE released_orders (
  order_id    text PRIMARY KEY,
  released_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE released_orders;
DROP TABLE reservations;
DROP TABLE products;
