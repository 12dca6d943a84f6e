//! A transaction that keeps its connection's prepared statements: the
//! ingest path's few dozen statements are parsed and planned once a
//! connection, not once a use.
//!
//! An unprepared `execute` is two round trips (the statement parsed and
//! described, then bound and run) and a parse and plan on the server for
//! every use. The lab's server keeps one connection for its whole life and
//! stores every upload through the same twenty-odd statements, so after the
//! first upload each is one round trip. The statements are keyed by their
//! text (a few are built with `format!` from names in this crate, never
//! from input, so the set stays small and bounded).
//!
//! Written here rather than taken from a pool crate: `deadpool-postgres`
//! has such a cache, but it is async and the lab's books run on a thread
//! of their own with the blocking client.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

use postgres::types::ToSql;
use postgres::{Row, Statement, Transaction};

/// The statements a connection has prepared, by their text.
pub(super) type Prepared = HashMap<String, Statement>;

/// A transaction (or a savepoint in one) with its connection's prepared
/// statements. `execute` and `query` go through the cache; anything else
/// (COPY, portals, DDL) reaches the transaction underneath.
pub(super) struct Tx<'a> {
    tx: Transaction<'a>,
    prepared: &'a mut Prepared,
}

impl<'a> Tx<'a> {
    pub(super) fn new(tx: Transaction<'a>, prepared: &'a mut Prepared) -> Tx<'a> {
        Tx { tx, prepared }
    }

    /// `sql` prepared on this connection, once (also for a portal's
    /// statement, which `bind` takes prepared).
    pub(super) fn statement(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql)?;
        self.prepared.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    pub(super) fn execute(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let s = self.statement(sql)?;
        self.tx.execute(&s, params)
    }

    pub(super) fn query(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        let s = self.statement(sql)?;
        self.tx.query(&s, params)
    }

    pub(super) fn query_one(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, postgres::Error> {
        let s = self.statement(sql)?;
        self.tx.query_one(&s, params)
    }

    /// A savepoint, sharing the cache (a prepared statement belongs to the
    /// connection, and outlives a savepoint rolled back).
    pub(super) fn transaction(&mut self) -> Result<Tx<'_>, postgres::Error> {
        Ok(Tx {
            tx: self.tx.transaction()?,
            prepared: &mut *self.prepared,
        })
    }

    /// Forgets the prepared statements: after a migration's step, whose
    /// SQL may change what a statement prepared before it returns.
    pub(super) fn forget_prepared(&mut self) {
        self.prepared.clear();
    }

    pub(super) fn commit(self) -> Result<(), postgres::Error> {
        self.tx.commit()
    }

    pub(super) fn rollback(self) -> Result<(), postgres::Error> {
        self.tx.rollback()
    }
}

impl<'a> Deref for Tx<'a> {
    type Target = Transaction<'a>;

    fn deref(&self) -> &Transaction<'a> {
        &self.tx
    }
}

impl<'a> DerefMut for Tx<'a> {
    fn deref_mut(&mut self) -> &mut Transaction<'a> {
        &mut self.tx
    }
}
