import { createSqliteDatabase } from './databases.js';
import { defineSqlAdapterSuite } from './suite.js';

defineSqlAdapterSuite('SQLite', true, createSqliteDatabase);
