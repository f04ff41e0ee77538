'use strict';
// MySQL syntax added after 8.0.18, mapped onto the 8.0.18 form it equals.
//
// ts-mysql-parser's grammar stops at MySQL 8.0.18. Each rule below turns one
// later construct into tokens the 8.0.18 grammar knows, and applies only from
// the release that added the construct, so the version predicate stays exact.
// The rewritten tokens keep their source positions: an error in a rewritten
// statement still points into the user's text. gate.js only rewrites a
// statement the grammar rejected as written.
const { CommonToken, Token } = require('antlr4ts');
const { MySQLLexer: L } = require('ts-mysql-parser/dist/grammar/MySQLLexer');

// The release that first accepts each construct (MySQL 8.0 reference manual).
const TABLE_VALUE_CONSTRUCTOR = 80019; // VALUES ROW(...), ROW(...)
const TABLE_STATEMENT = 80019; // TABLE t
const DROP_CHECK = 80016; // ALTER TABLE ... DROP CHECK c
const DROP_CONSTRAINT = 80019; // ALTER TABLE ... DROP CONSTRAINT c / ALTER CONSTRAINT c
const JSON_VALUE_CLAUSES = 80021; // JSON_VALUE(doc, path RETURNING type ... ON EMPTY ... ON ERROR)
const IF_NOT_EXISTS_ROUTINES = 80029; // CREATE TRIGGER / PROCEDURE / FUNCTION IF NOT EXISTS
const INTERSECT_EXCEPT = 80031; // INTERSECT and EXCEPT beside UNION
const ACCOUNT_LOCKING = 80019; // CREATE/ALTER USER ... FAILED_LOGIN_ATTEMPTS n PASSWORD_LOCK_TIME {n | UNBOUNDED}
const USER_COMMENT_ATTRIBUTE = 80021; // CREATE/ALTER USER ... COMMENT 'text' / ATTRIBUTE 'json'
const ENGINE_ATTRIBUTES = 80021; // [SECONDARY_]ENGINE_ATTRIBUTE [=] 'json' on tables, columns, indexes
const CAST_AS_YEAR = 80022; // CAST(x AS YEAR), CONVERT(x, YEAR)
const INVISIBLE_COLUMNS = 80023; // column attribute [IN]VISIBLE, ALTER COLUMN c SET [IN]VISIBLE
const ATOMIC_CTAS = 80021; // CREATE TABLE t START TRANSACTION AS SELECT ... (atomic with row-based binlogs)
const REPLICA_STATEMENTS = 80022; // START / STOP / RESET REPLICA, SHOW REPLICA STATUS
const AUTOEXTEND_SIZE = 80023; // CREATE / ALTER TABLE ... AUTOEXTEND_SIZE [=] n
const CAST_TO_SPATIAL = 80024; // CAST(x AS POINT | LINESTRING | POLYGON | MULTI... | GEOMETRYCOLLECTION)
const HISTOGRAM_USING_DATA = 80031; // ANALYZE TABLE t UPDATE HISTOGRAM ON c USING DATA 'json'
const READ_ONLY_SCHEMAS = 80022; // ALTER {DATABASE | SCHEMA} d READ ONLY [=] {DEFAULT | 0 | 1}
const MULTIFACTOR_AUTHENTICATION = 80027; // CREATE USER u IDENTIFIED ... AND IDENTIFIED WITH plugin ...
// Not a release: MySQL syntax of every 8.0 release that the package's grammar lacks.
const ALWAYS = 0;

const DEFAULT = Token.DEFAULT_CHANNEL;

function word(token) {
  return token.type === L.IDENTIFIER ? token.text.toUpperCase() : null;
}

function synth(from, type, text) {
  const token = CommonToken.fromToken(from);
  token.type = type;
  token.text = text;
  return token;
}

// The default-channel tokens of one list, with their positions in it.
class Tokens {
  constructor(tokens) {
    this.all = tokens;
    this.sig = [];
    tokens.forEach((t, i) => {
      if (t.channel === DEFAULT) this.sig.push(i);
    });
  }

  at(k) {
    return k >= 0 && k < this.sig.length ? this.all[this.sig[k]] : null;
  }

  type(k) {
    const t = this.at(k);
    return t ? t.type : Token.EOF;
  }

  // k of the `)` matching the `(` at k, or -1.
  closing(k) {
    let depth = 0;
    for (let j = k; j < this.sig.length; j++) {
      const ty = this.type(j);
      if (ty === L.OPEN_PAR_SYMBOL) depth++;
      else if (ty === L.CLOSE_PAR_SYMBOL && --depth === 0) return j;
    }
    return -1;
  }

  // k of the first token of the statement holding k.
  statementStart(k) {
    let j = k;
    while (j > 0 && this.type(j - 1) !== L.SEMICOLON_SYMBOL) j--;
    return j;
  }
}

function statementIs(toks, k, first, second) {
  const start = toks.statementStart(k);
  return toks.type(start) === first && (second === undefined || toks.type(start + 1) === second);
}

// k of the `(` whose `)` is at k (k itself when it is no `)`), or -1.
function opening(toks, k) {
  let depth = 0;
  for (let j = k; j >= 0; j--) {
    const ty = toks.type(j);
    if (ty === L.CLOSE_PAR_SYMBOL) depth++;
    else if (ty === L.OPEN_PAR_SYMBOL && --depth === 0) return j;
  }
  return -1;
}

// k of the `(` enclosing k, or -1 at the top level.
function enclosing(toks, k) {
  let depth = 0;
  for (let j = k - 1; j >= 0; j--) {
    const ty = toks.type(j);
    if (ty === L.CLOSE_PAR_SYMBOL) depth++;
    else if (ty === L.OPEN_PAR_SYMBOL && depth-- === 0) return j;
  }
  return -1;
}

const INDEX_STARTS = new Set([L.INDEX_SYMBOL, L.KEY_SYMBOL, L.UNIQUE_SYMBOL, L.PRIMARY_SYMBOL, L.FULLTEXT_SYMBOL, L.SPATIAL_SYMBOL, L.CONSTRAINT_SYMBOL, L.FOREIGN_SYMBOL, L.CHECK_SYMBOL]);

// Is k inside a column definition of CREATE TABLE (t (...)) or ALTER TABLE
// (ADD/MODIFY/CHANGE [COLUMN])? An index definition's options
// (INDEX (a) INVISIBLE) are the grammar's already.
function inColumnDefinition(toks, k) {
  const start = toks.statementStart(k);
  const first = toks.type(start);
  if (first === L.CREATE_SYMBOL) {
    const open = enclosing(toks, k);
    if (open < 0 || enclosing(toks, open) >= 0) return false; // the table's element list only
    let j = k;
    let depth = 0;
    while (j > open + 1) {
      const ty = toks.type(j - 1);
      if (ty === L.CLOSE_PAR_SYMBOL) depth++;
      else if (ty === L.OPEN_PAR_SYMBOL) depth--;
      else if (ty === L.COMMA_SYMBOL && depth === 0) break;
      j--;
    }
    return !INDEX_STARTS.has(toks.type(j));
  }
  if (first !== L.ALTER_SYMBOL || toks.type(start + 1) !== L.TABLE_SYMBOL || enclosing(toks, k) >= 0) return false;
  let j = k;
  let depth = 0;
  while (j > start) {
    const ty = toks.type(j - 1);
    if (ty === L.CLOSE_PAR_SYMBOL) depth++;
    else if (ty === L.OPEN_PAR_SYMBOL) depth--;
    else if (depth === 0 && (ty === L.COMMA_SYMBOL || [L.ADD_SYMBOL, L.MODIFY_SYMBOL, L.CHANGE_SYMBOL].includes(ty))) break;
    j--;
  }
  const clause = toks.type(j - 1);
  if (![L.ADD_SYMBOL, L.MODIFY_SYMBOL, L.CHANGE_SYMBOL].includes(clause)) return false;
  return !INDEX_STARTS.has(toks.type(j));
}

const QUERY_OPENERS = new Set([L.OPEN_PAR_SYMBOL, L.UNION_SYMBOL, L.EXCEPT_SYMBOL, L.ALL_SYMBOL, L.DISTINCT_SYMBOL, L.AS_SYMBOL, L.SEMICOLON_SYMBOL]);

// True where a query expression may start: the start of a statement, after
// `(`, a set operator or AS (CREATE TABLE ... AS), and after the table or
// column list of INSERT/REPLACE and the CTEs of WITH.
function queryPosition(toks, k) {
  if (k === 0) return true;
  const prev = toks.type(k - 1);
  if (QUERY_OPENERS.has(prev) || word(toks.at(k - 1)) === 'INTERSECT') return true;
  const first = toks.type(toks.statementStart(k));
  const afterName = prev === L.CLOSE_PAR_SYMBOL || prev === L.IDENTIFIER || prev === L.BACK_TICK_QUOTED_ID;
  return afterName && [L.INSERT_SYMBOL, L.REPLACE_SYMBOL, L.WITH_SYMBOL, L.CREATE_SYMBOL].includes(first);
}

function insertValues(toks, k) {
  const first = toks.type(toks.statementStart(k));
  const prev = toks.type(k - 1);
  return [L.INSERT_SYMBOL, L.REPLACE_SYMBOL].includes(first)
    && (prev === L.CLOSE_PAR_SYMBOL || prev === L.IDENTIFIER || prev === L.BACK_TICK_QUOTED_ID);
}

// Each rule looks at significant token k and returns null, or
// {end: k after the construct, tokens: replacement for sig tokens k..end-1}.
const RULES = [
  {
    since: INTERSECT_EXCEPT,
    // The same place in the grammar as UNION [ALL | DISTINCT].
    apply(toks, k) {
      const t = toks.at(k);
      if (t.type !== L.EXCEPT_SYMBOL && word(t) !== 'INTERSECT') return null;
      return { end: k + 1, tokens: [synth(t, L.UNION_SYMBOL, 'UNION')] };
    },
  },
  {
    since: DROP_CHECK,
    // ALTER TABLE t DROP {CHECK | CONSTRAINT} c: the shape of DROP FOREIGN KEY c.
    apply(toks, k, version) {
      const t = toks.at(k);
      if (toks.type(k - 1) !== L.DROP_SYMBOL || toks.type(toks.statementStart(k)) !== L.ALTER_SYMBOL) return null;
      const ok = t.type === L.CHECK_SYMBOL || (t.type === L.CONSTRAINT_SYMBOL && version >= DROP_CONSTRAINT);
      if (!ok) return null;
      return { end: k + 1, tokens: [synth(t, L.FOREIGN_SYMBOL, 'FOREIGN'), synth(t, L.KEY_SYMBOL, 'KEY')] };
    },
  },
  {
    since: DROP_CONSTRAINT,
    // ALTER TABLE t ALTER CONSTRAINT c [NOT] ENFORCED: ALTER CHECK c [NOT] ENFORCED.
    apply(toks, k) {
      const t = toks.at(k);
      if (t.type !== L.CONSTRAINT_SYMBOL || toks.type(k - 1) !== L.ALTER_SYMBOL || k - 1 === toks.statementStart(k)) return null;
      return { end: k + 1, tokens: [synth(t, L.CHECK_SYMBOL, 'CHECK')] };
    },
  },
  {
    since: IF_NOT_EXISTS_ROUTINES,
    // CREATE [DEFINER = user] {TRIGGER | PROCEDURE | [AGGREGATE] FUNCTION} IF NOT EXISTS name
    apply(toks, k) {
      const t = toks.at(k);
      if (![L.TRIGGER_SYMBOL, L.PROCEDURE_SYMBOL, L.FUNCTION_SYMBOL].includes(t.type)) return null;
      if (toks.type(toks.statementStart(k)) !== L.CREATE_SYMBOL) return null;
      if (toks.type(k + 1) !== L.IF_SYMBOL || toks.type(k + 2) !== L.NOT_SYMBOL || toks.type(k + 3) !== L.EXISTS_SYMBOL) return null;
      return { end: k + 4, tokens: [t] };
    },
  },
  {
    since: TABLE_STATEMENT,
    // TABLE t [ORDER BY ...] [LIMIT ...]: SELECT * FROM t [ORDER BY ...] [LIMIT ...].
    apply(toks, k) {
      const t = toks.at(k);
      if (t.type !== L.TABLE_SYMBOL || !queryPosition(toks, k)) return null;
      let j = k + 1;
      if (toks.type(j + 1) === L.DOT_SYMBOL) j += 2;
      const next = toks.type(j + 1);
      const tail = [L.ORDER_SYMBOL, L.LIMIT_SYMBOL, L.CLOSE_PAR_SYMBOL, L.SEMICOLON_SYMBOL, Token.EOF, L.UNION_SYMBOL, L.EXCEPT_SYMBOL, L.INTO_SYMBOL];
      if (!tail.includes(next) && word(toks.at(j + 1)) !== 'INTERSECT') return null;
      return {
        end: k + 1,
        tokens: [synth(t, L.SELECT_SYMBOL, 'SELECT'), synth(t, L.MULT_OPERATOR, '*'), synth(t, L.FROM_SYMBOL, 'FROM')],
      };
    },
  },
  {
    since: TABLE_VALUE_CONSTRUCTOR,
    // VALUES ROW(a, b), ROW(c, d): SELECT a, b UNION ALL SELECT c, d, and
    // INSERT ... VALUES ROW(a, b): INSERT ... VALUES (a, b).
    apply(toks, k) {
      const t = toks.at(k);
      if (t.type !== L.VALUES_SYMBOL || toks.type(k + 1) !== L.ROW_SYMBOL) return null;
      const inInsert = insertValues(toks, k);
      if (!inInsert && !queryPosition(toks, k)) return null;
      const out = inInsert ? [t] : [];
      let j = k + 1;
      for (;;) {
        if (toks.type(j) !== L.ROW_SYMBOL || toks.type(j + 1) !== L.OPEN_PAR_SYMBOL) return null;
        const close = toks.closing(j + 1);
        if (close < 0) return null;
        if (inInsert) {
          for (let m = j + 1; m <= close; m++) out.push(toks.at(m));
        } else {
          out.push(synth(toks.at(j), L.SELECT_SYMBOL, 'SELECT'));
          for (let m = j + 2; m < close; m++) out.push(toks.at(m));
        }
        j = close + 1;
        if (toks.type(j) !== L.COMMA_SYMBOL || toks.type(j + 1) !== L.ROW_SYMBOL) break;
        if (inInsert) out.push(toks.at(j));
        else out.push(synth(toks.at(j), L.UNION_SYMBOL, 'UNION'), synth(toks.at(j), L.ALL_SYMBOL, 'ALL'));
        j += 1;
      }
      return { end: j, tokens: out };
    },
  },
  {
    since: JSON_VALUE_CLAUSES,
    // JSON_VALUE(doc, path RETURNING type [on empty] [on error]):
    // CAST(JSON_VALUE(doc, path) AS type); each clause is
    // {NULL | ERROR | DEFAULT literal} ON {EMPTY | ERROR}.
    apply(toks, k) {
      const t = toks.at(k);
      if (word(t) !== 'JSON_VALUE' || toks.type(k + 1) !== L.OPEN_PAR_SYMBOL) return null;
      const close = toks.closing(k + 1);
      if (close < 0) return null;
      let depth = 0;
      let cut = -1;
      for (let m = k + 2; m < close; m++) {
        const ty = toks.type(m);
        if (ty === L.OPEN_PAR_SYMBOL) depth++;
        else if (ty === L.CLOSE_PAR_SYMBOL) depth--;
        else if (depth === 0 && (word(toks.at(m)) === 'RETURNING' || onClauseAt(toks, m, close))) {
          cut = m;
          break;
        }
      }
      if (cut < 0) return null;
      let typeEnd = cut;
      if (word(toks.at(cut)) === 'RETURNING') {
        typeEnd = cut + 1;
        while (typeEnd < close && !onClauseAt(toks, typeEnd, close)) {
          if (toks.type(typeEnd) === L.OPEN_PAR_SYMBOL) typeEnd = toks.closing(typeEnd);
          typeEnd++;
        }
      }
      // The clauses: ON EMPTY before ON ERROR, each at most once.
      let m = typeEnd;
      const seen = [];
      while (m < close) {
        const len = onClauseAt(toks, m, close);
        if (!len) return null;
        seen.push(toks.at(m + len - 1).text.toUpperCase());
        m += len;
      }
      const order = seen.join(' ');
      if (!['', 'EMPTY', 'ERROR', 'EMPTY ERROR'].includes(order)) return null;
      const out = [];
      const returning = word(toks.at(cut)) === 'RETURNING';
      if (returning) out.push(synth(t, L.CAST_SYMBOL, 'CAST'), synth(t, L.OPEN_PAR_SYMBOL, '('));
      for (let n = k; n < cut; n++) out.push(toks.at(n));
      out.push(synth(toks.at(close), L.CLOSE_PAR_SYMBOL, ')'));
      if (returning) {
        out.push(synth(toks.at(cut), L.AS_SYMBOL, 'AS'));
        for (let n = cut + 1; n < typeEnd; n++) out.push(toks.at(n));
        out.push(toks.at(close));
      }
      return { end: close + 1, tokens: out };
    },
  },
  {
    since: CAST_AS_YEAR,
    // CAST(x AS YEAR) / CONVERT(x, YEAR): the shape of CAST(x AS SIGNED).
    apply(toks, k) {
      const t = toks.at(k);
      if (t.type !== L.YEAR_SYMBOL || toks.type(k + 1) !== L.CLOSE_PAR_SYMBOL) return null;
      const open = opening(toks, k + 1);
      const fn = toks.type(open - 1);
      const ok = (toks.type(k - 1) === L.AS_SYMBOL && fn === L.CAST_SYMBOL) || (toks.type(k - 1) === L.COMMA_SYMBOL && fn === L.CONVERT_SYMBOL);
      if (!ok) return null;
      return { end: k + 1, tokens: [synth(t, L.SIGNED_SYMBOL, 'SIGNED')] };
    },
  },
  {
    since: INVISIBLE_COLUMNS,
    // A column's [IN]VISIBLE attribute: dropped; ALTER [COLUMN] c SET
    // [IN]VISIBLE: the shape of ALTER [COLUMN] c DROP DEFAULT.
    apply(toks, k) {
      const t = toks.at(k);
      const visibility = (ty) => ty === L.VISIBLE_SYMBOL || ty === L.INVISIBLE_SYMBOL;
      if (t.type === L.SET_SYMBOL && visibility(toks.type(k + 1)) && statementIs(toks, k, L.ALTER_SYMBOL, L.TABLE_SYMBOL)) {
        return { end: k + 2, tokens: [synth(t, L.DROP_SYMBOL, 'DROP'), synth(toks.at(k + 1), L.DEFAULT_SYMBOL, 'DEFAULT')] };
      }
      if (!visibility(t.type)) return null;
      if (!inColumnDefinition(toks, k)) return null;
      return { end: k + 1, tokens: [] };
    },
  },
  {
    since: ENGINE_ATTRIBUTES,
    // [SECONDARY_]ENGINE_ATTRIBUTE [=] 'json' of a table, column or index:
    // COMMENT 'text' stands in all three places.
    apply(toks, k) {
      const t = toks.at(k);
      if (!['ENGINE_ATTRIBUTE', 'SECONDARY_ENGINE_ATTRIBUTE'].includes(word(t))) return null;
      if (!statementIs(toks, k, L.CREATE_SYMBOL) && !statementIs(toks, k, L.ALTER_SYMBOL)) return null;
      let j = k + 1;
      if (toks.type(j) === L.EQUAL_OPERATOR) j++;
      if (![L.SINGLE_QUOTED_TEXT, L.DOUBLE_QUOTED_TEXT].includes(toks.type(j))) return null;
      return { end: j + 1, tokens: [synth(t, L.COMMENT_SYMBOL, 'COMMENT'), toks.at(j)] };
    },
  },
  {
    since: ACCOUNT_LOCKING,
    // FAILED_LOGIN_ATTEMPTS n / PASSWORD_LOCK_TIME {n | UNBOUNDED} among
    // CREATE/ALTER USER's options: dropped (options are a list without commas).
    apply(toks, k) {
      const t = toks.at(k);
      const option = word(t);
      if (option !== 'FAILED_LOGIN_ATTEMPTS' && option !== 'PASSWORD_LOCK_TIME') return null;
      if (!userStatement(toks, k)) return null;
      const value = toks.type(k + 1);
      const ok = value === L.INT_NUMBER || (option === 'PASSWORD_LOCK_TIME' && value === L.UNBOUNDED_SYMBOL);
      return ok ? { end: k + 2, tokens: [] } : null;
    },
  },
  {
    since: USER_COMMENT_ATTRIBUTE,
    // CREATE/ALTER USER ... {COMMENT 'text' | ATTRIBUTE 'json'}: dropped.
    apply(toks, k) {
      const t = toks.at(k);
      if (t.type !== L.COMMENT_SYMBOL && word(t) !== 'ATTRIBUTE') return null;
      if (!userStatement(toks, k)) return null;
      if (![L.SINGLE_QUOTED_TEXT, L.DOUBLE_QUOTED_TEXT].includes(toks.type(k + 1))) return null;
      return { end: k + 2, tokens: [] };
    },
  },
  {
    since: ATOMIC_CTAS,
    // CREATE TABLE t START TRANSACTION AS SELECT ...: the plain CTAS.
    apply(toks, k) {
      const t = toks.at(k);
      if (t.type !== L.START_SYMBOL || toks.type(k + 1) !== L.TRANSACTION_SYMBOL) return null;
      if (!statementIs(toks, k, L.CREATE_SYMBOL, L.TABLE_SYMBOL) || k === toks.statementStart(k)) return null;
      return { end: k + 2, tokens: [] };
    },
  },
  {
    since: REPLICA_STATEMENTS,
    // {START | STOP | RESET} REPLICA, SHOW REPLICA STATUS: the SLAVE words they renamed.
    apply(toks, k) {
      const t = toks.at(k);
      if (word(t) !== 'REPLICA' || k !== toks.statementStart(k) + 1) return null;
      if (![L.START_SYMBOL, L.STOP_SYMBOL, L.RESET_SYMBOL, L.SHOW_SYMBOL].includes(toks.type(k - 1))) return null;
      return { end: k + 1, tokens: [synth(t, L.SLAVE_SYMBOL, 'SLAVE')] };
    },
  },
  {
    since: AUTOEXTEND_SIZE,
    // AUTOEXTEND_SIZE [=] n among a table's options: dropped.
    apply(toks, k) {
      const t = toks.at(k);
      // A keyword of the package's tablespace options, not of its table options.
      if (t.text.toUpperCase() !== 'AUTOEXTEND_SIZE' || enclosing(toks, k) >= 0) return null;
      if (!statementIs(toks, k, L.CREATE_SYMBOL, L.TABLE_SYMBOL) && !statementIs(toks, k, L.ALTER_SYMBOL, L.TABLE_SYMBOL)) return null;
      let j = k + 1;
      if (toks.type(j) === L.EQUAL_OPERATOR) j++;
      const size = toks.at(j);
      if (!size || ![L.INT_NUMBER, L.IDENTIFIER].includes(size.type)) return null; // 4M lexes as a name
      if (toks.type(j + 1) === L.COMMA_SYMBOL) j++;
      return { end: j + 1, tokens: [] };
    },
  },
  {
    since: CAST_TO_SPATIAL,
    // CAST(x AS POINT) and the other spatial types: the shape of CAST(x AS CHAR).
    apply(toks, k) {
      const t = toks.at(k);
      const spatial = ['POINT', 'LINESTRING', 'POLYGON', 'MULTIPOINT', 'MULTILINESTRING', 'MULTIPOLYGON', 'GEOMETRYCOLLECTION'];
      if (!spatial.includes(t.text.toUpperCase()) || toks.type(k - 1) !== L.AS_SYMBOL || toks.type(k + 1) !== L.CLOSE_PAR_SYMBOL) return null;
      if (toks.type(opening(toks, k + 1) - 1) !== L.CAST_SYMBOL) return null;
      return { end: k + 1, tokens: [synth(t, L.CHAR_SYMBOL, 'CHAR')] };
    },
  },
  {
    since: HISTOGRAM_USING_DATA,
    // ANALYZE TABLE t UPDATE HISTOGRAM ON c USING DATA 'json': the shape of WITH n BUCKETS.
    apply(toks, k) {
      const t = toks.at(k);
      if (t.type !== L.USING_SYMBOL || toks.type(k + 1) !== L.DATA_SYMBOL || !statementIs(toks, k, L.ANALYZE_SYMBOL)) return null;
      if (![L.SINGLE_QUOTED_TEXT, L.DOUBLE_QUOTED_TEXT].includes(toks.type(k + 2))) return null;
      const n = synth(toks.at(k + 2), L.INT_NUMBER, '1');
      return { end: k + 3, tokens: [synth(t, L.WITH_SYMBOL, 'WITH'), n, synth(toks.at(k + 2), L.BUCKETS_SYMBOL, 'BUCKETS')] };
    },
  },
  {
    since: READ_ONLY_SCHEMAS,
    // ALTER {DATABASE | SCHEMA} d READ ONLY [=] {DEFAULT | 0 | 1}: a schema
    // option, in the place of CHARSET [=] name.
    apply(toks, k) {
      const t = toks.at(k);
      if (t.type !== L.READ_SYMBOL || toks.type(k + 1) !== L.ONLY_SYMBOL) return null;
      if (!statementIs(toks, k, L.ALTER_SYMBOL, L.DATABASE_SYMBOL) || enclosing(toks, k) >= 0) return null;
      let j = k + 2;
      if (toks.type(j) === L.EQUAL_OPERATOR) j++;
      const value = toks.at(j);
      const ok = value && (value.type === L.DEFAULT_SYMBOL || (value.type === L.INT_NUMBER && ['0', '1'].includes(value.text)));
      if (!ok) return null;
      return { end: j + 1, tokens: [synth(t, L.CHARSET_SYMBOL, 'CHARSET'), synth(value, L.IDENTIFIER, 'utf8mb4')] };
    },
  },
  {
    since: MULTIFACTOR_AUTHENTICATION,
    // CREATE USER u IDENTIFIED ... AND IDENTIFIED {BY ... | WITH plugin [BY ... | AS ...]}
    // [INITIAL AUTHENTICATION IDENTIFIED ...]: the second and third factors
    // are dropped, the first is the grammar's own.
    apply(toks, k) {
      const t = toks.at(k);
      const factor = (t.type === L.AND_SYMBOL || t.type === L.LOGICAL_AND_OPERATOR) && toks.type(k + 1) === L.IDENTIFIED_SYMBOL;
      const initial = word(t) === 'INITIAL' && word(toks.at(k + 1)) === 'AUTHENTICATION' && toks.type(k + 2) === L.IDENTIFIED_SYMBOL;
      if ((!factor && !initial) || !userStatement(toks, k)) return null;
      let j = k + (initial ? 3 : 2);
      if (toks.type(j) === L.WITH_SYMBOL) j += 2; // WITH plugin
      if (toks.type(j) === L.BY_SYMBOL && toks.type(j + 1) === L.RANDOM_SYMBOL && toks.type(j + 2) === L.PASSWORD_SYMBOL) j += 3;
      else if ((toks.type(j) === L.BY_SYMBOL || toks.type(j) === L.AS_SYMBOL) && [L.SINGLE_QUOTED_TEXT, L.DOUBLE_QUOTED_TEXT].includes(toks.type(j + 1))) j += 2;
      else if (toks.type(j - 2) !== L.WITH_SYMBOL) return null; // IDENTIFIED needs BY or WITH
      return { end: j, tokens: [] };
    },
  },
  {
    since: ALWAYS,
    // FLUSH RELAY LOGS FOR CHANNEL c (every 8.0 release): the package's
    // grammar wants the channel as a string; MySQL reads a name.
    apply(toks, k) {
      const t = toks.at(k);
      if (t.type !== L.CHANNEL_SYMBOL || toks.type(k - 1) !== L.FOR_SYMBOL || !statementIs(toks, k, L.FLUSH_SYMBOL)) return null;
      const name = toks.at(k + 1);
      if (!name || ![L.IDENTIFIER, L.BACK_TICK_QUOTED_ID].includes(name.type)) return null;
      return { end: k + 2, tokens: [t, synth(name, L.SINGLE_QUOTED_TEXT, `'${name.text.replace(/[`']/g, '')}'`)] };
    },
  },
  {
    since: ALWAYS,
    // FLUSH TABLES db.t [, ...] [WITH READ LOCK | FOR EXPORT]: the package's
    // grammar has unqualified names only there; the table alone stands for db.t.
    apply(toks, k) {
      const t = toks.at(k);
      if (toks.type(k + 1) !== L.DOT_SYMBOL || !statementIs(toks, k, L.FLUSH_SYMBOL)) return null;
      const previous = toks.type(k - 1);
      if (previous !== L.TABLES_SYMBOL && previous !== L.TABLE_SYMBOL && previous !== L.COMMA_SYMBOL) return null;
      const table = toks.at(k + 2);
      if (!table || ![L.IDENTIFIER, L.BACK_TICK_QUOTED_ID].includes(table.type)) return null;
      return { end: k + 3, tokens: [table] };
    },
  },
  {
    since: ALWAYS,
    // SET [GLOBAL | SESSION] TRANSACTION READ {ONLY | WRITE}, ISOLATION LEVEL ...:
    // the characteristics come in either order; the grammar has the
    // isolation level first only. The access mode is dropped.
    apply(toks, k) {
      const t = toks.at(k);
      if (t.type !== L.READ_SYMBOL || ![L.ONLY_SYMBOL, L.WRITE_SYMBOL].includes(toks.type(k + 1))) return null;
      if (toks.type(k - 1) !== L.TRANSACTION_SYMBOL || toks.type(k + 2) !== L.COMMA_SYMBOL || toks.type(k + 3) !== L.ISOLATION_SYMBOL) return null;
      if (toks.type(toks.statementStart(k)) !== L.SET_SYMBOL) return null;
      return { end: k + 3, tokens: [] };
    },
  },
  {
    since: ALWAYS,
    // DEFAULT NOW / ON UPDATE NOW without brackets (sql_yacc.yy: NOW's
    // precision brackets are optional): NOW().
    apply(toks, k) {
      const t = toks.at(k);
      // The lexer reads NOW as a keyword only before `(`: here it is a name.
      if (word(t) !== 'NOW' || toks.type(k + 1) === L.OPEN_PAR_SYMBOL) return null;
      const after = toks.type(k - 1) === L.DEFAULT_SYMBOL || (toks.type(k - 1) === L.UPDATE_SYMBOL && toks.type(k - 2) === L.ON_SYMBOL);
      if (!after) return null;
      return { end: k + 1, tokens: [synth(t, L.NOW_SYMBOL, 'NOW'), synth(t, L.OPEN_PAR_SYMBOL, '('), synth(t, L.CLOSE_PAR_SYMBOL, ')')] };
    },
  },
  {
    since: ALWAYS,
    // Index hints follow each other without commas (USE INDEX (a) IGNORE
    // INDEX FOR ORDER BY (b)); the package's grammar wants commas.
    apply(toks, k) {
      const t = toks.at(k);
      if (![L.USE_SYMBOL, L.IGNORE_SYMBOL, L.FORCE_SYMBOL].includes(t.type)) return null;
      if (![L.INDEX_SYMBOL, L.KEY_SYMBOL].includes(toks.type(k + 1)) || toks.type(k - 1) !== L.CLOSE_PAR_SYMBOL) return null;
      const open = opening(toks, k - 1);
      if (open < 1) return null;
      let j = open - 1; // the previous hint: {USE|IGNORE|FORCE} {INDEX|KEY} [FOR {JOIN | ORDER BY | GROUP BY}] (
      if (toks.type(j) === L.JOIN_SYMBOL) j -= 1;
      else if (toks.type(j) === L.BY_SYMBOL) j -= 2;
      if (toks.type(j) === L.FOR_SYMBOL) j -= 1;
      if (![L.INDEX_SYMBOL, L.KEY_SYMBOL].includes(toks.type(j)) || ![L.USE_SYMBOL, L.IGNORE_SYMBOL, L.FORCE_SYMBOL].includes(toks.type(j - 1))) return null;
      return { end: k + 1, tokens: [synth(t, L.COMMA_SYMBOL, ','), t] };
    },
  },
  {
    since: ALWAYS,
    // START TRANSACTION's characteristics are a comma list
    // (WITH CONSISTENT SNAPSHOT, READ ONLY); the package's grammar has them without commas.
    apply(toks, k) {
      const t = toks.at(k);
      if (t.type !== L.COMMA_SYMBOL || !statementIs(toks, k, L.START_SYMBOL, L.TRANSACTION_SYMBOL)) return null;
      return { end: k + 1, tokens: [] };
    },
  },
  {
    since: ALWAYS,
    // ALTER USER USER() IDENTIFIED BY 'new' (the current user, MySQL 5.7.6+):
    // the shape of ALTER USER CURRENT_USER() IDENTIFIED BY 'new'.
    apply(toks, k) {
      const t = toks.at(k);
      if (t.type !== L.USER_SYMBOL || toks.type(k + 1) !== L.OPEN_PAR_SYMBOL || toks.type(k + 2) !== L.CLOSE_PAR_SYMBOL) return null;
      if (toks.statementStart(k) !== k - 2 || !statementIs(toks, k, L.ALTER_SYMBOL, L.USER_SYMBOL)) return null;
      return { end: k + 1, tokens: [synth(t, L.CURRENT_USER_SYMBOL, 'CURRENT_USER')] };
    },
  },
];

function userStatement(toks, k) {
  return statementIs(toks, k, L.CREATE_SYMBOL, L.USER_SYMBOL) || statementIs(toks, k, L.ALTER_SYMBOL, L.USER_SYMBOL);
}

// Length of an ON EMPTY / ON ERROR clause of JSON_VALUE starting at m, or 0.
function onClauseAt(toks, m, close) {
  const ty = toks.type(m);
  let j;
  if (ty === L.NULL_SYMBOL || ty === L.ERROR_SYMBOL) j = m + 1;
  else if (ty === L.DEFAULT_SYMBOL) {
    j = m + 1;
    if (toks.type(j) === L.MINUS_OPERATOR || toks.type(j) === L.PLUS_OPERATOR) j++;
    j++; // the literal
  } else return 0;
  if (j + 1 >= close + 1 || toks.type(j) !== L.ON_SYMBOL) return 0;
  const what = toks.at(j + 1);
  const ok = what.type === L.ERROR_SYMBOL || what.type === L.EMPTY_SYMBOL || word(what) === 'EMPTY';
  return ok ? j + 2 - m : 0;
}

// The tokens with every construct the version accepts rewritten, or null
// when no rule applied. MySQL reads a double-quoted text as a string unless
// ANSI_QUOTES is set (sql_lex.cc: both quotes lex as TEXT_STRING), so a
// double-quoted charset, collation or host name counts as single-quoted.
function rewrite(tokens, version) {
  const toks = new Tokens(tokens);
  const out = [];
  let changed = false;
  let k = 0;
  let nextSig = 0; // index into toks.sig of the next significant token
  for (let i = 0; i < tokens.length;) {
    const token = tokens[i];
    if (token.channel !== DEFAULT || token.type === Token.EOF) {
      out.push(token);
      i++;
      if (token.channel === DEFAULT) nextSig++;
      continue;
    }
    k = nextSig;
    let done = false;
    for (const rule of RULES) {
      if (version < rule.since) continue;
      const hit = rule.apply(toks, k, version);
      if (hit) {
        out.push(...hit.tokens);
        nextSig = hit.end;
        i = hit.end < toks.sig.length ? toks.sig[hit.end] : tokens.length - 1;
        changed = true;
        done = true;
        break;
      }
    }
    if (done) continue;
    if (token.type === L.DOUBLE_QUOTED_TEXT) {
      out.push(synth(token, L.SINGLE_QUOTED_TEXT, token.text));
      changed = true;
    } else {
      out.push(token);
    }
    nextSig++;
    i++;
  }
  if (!changed) return null;
  // A fresh index per token: the parser's stream relies on it.
  return out.map((t, n) => {
    const copy = CommonToken.fromToken(t);
    copy.tokenIndex = n;
    return copy;
  });
}

module.exports = { rewrite };
