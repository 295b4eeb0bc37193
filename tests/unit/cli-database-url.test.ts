import { describe, expect, test } from "bun:test";
import type { DatabaseUrl } from "../../src/cli/config.ts";
import { parseDatabaseUrl, redactDatabaseUrl } from "../../src/cli/database-url.ts";

describe("parseDatabaseUrl", () => {
  test.each<[string, DatabaseUrl]>([
    ["sqlite:///db.sqlite3", { kind: "sqlite", path: "db.sqlite3" }],
    ["sqlite:///data/db.sqlite3", { kind: "sqlite", path: "data/db.sqlite3" }],
    ["sqlite:////data/db.sqlite3", { kind: "sqlite", path: "/data/db.sqlite3" }],
    ["sqlite://", { kind: "sqlite", path: ":memory:" }],
    ["sqlite:///", { kind: "sqlite", path: ":memory:" }],
    ["sqlite:///:memory:", { kind: "sqlite", path: ":memory:" }],
    ["sqlite+pysqlite:///db.sqlite3", { kind: "sqlite", path: "db.sqlite3" }],
    [
      "postgresql://u:p@db.example/honey",
      { kind: "postgres", url: "postgresql://u:p@db.example/honey" },
    ],
    ["postgres://db.example/honey", { kind: "postgres", url: "postgres://db.example/honey" }],
    [
      "postgresql+psycopg2://u:p@db.example:5432/honey",
      { kind: "postgres", url: "postgresql://u:p@db.example:5432/honey" },
    ],
    ["postgresql://", { kind: "postgres", url: "postgresql://" }],
    ["mysql://u:p@db.example/honey", { kind: "mysql", url: "mysql://u:p@db.example/honey" }],
    ["mysql+pymysql://db.example/honey", { kind: "mysql", url: "mysql://db.example/honey" }],
    ["mariadb://db.example/honey", { kind: "mysql", url: "mariadb://db.example/honey" }],
    [
      "mariadb+mariadbconnector://db.example/honey",
      { kind: "mysql", url: "mariadb://db.example/honey" },
    ],
  ])("reads %p", (text, database) => {
    expect(parseDatabaseUrl(text)).toEqual(database);
  });

  test.each([
    "",
    "db.sqlite3",
    "/data/db.sqlite3",
    "sqlite:/db.sqlite3",
    "sqlite://host/db.sqlite3",
    "sqlite:///db.sqlite3?mode=ro",
    "SQLITE:///db.sqlite3",
    "redis://cache.example",
    "oracle://db.example/honey",
    "postgresql://db.example:99999/honey",
    "postgresql+://db.example/honey",
    "+psycopg2://db.example/honey",
  ])("refuses %p", (text) => {
    expect(parseDatabaseUrl(text)).toBeUndefined();
  });
});

describe("redactDatabaseUrl", () => {
  test.each<[string, string]>([
    ["postgresql://honey:s3cret@db.example/honey", "postgresql://honey:***@db.example/honey"],
    ["mysql+pymysql://u:p:q@db.example/x", "mysql+pymysql://u:***@db.example/x"],
    ["postgresql://honey@db.example/honey", "postgresql://honey@db.example/honey"],
    ["sqlite:///db.sqlite3", "sqlite:///db.sqlite3"],
    ["not a url", "not a url"],
  ])("%p is shown as %p", (text, shown) => {
    expect(redactDatabaseUrl(text)).toBe(shown);
  });
});
