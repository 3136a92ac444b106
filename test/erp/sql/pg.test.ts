import { createPgDatabase, pgProblem, serviceGate } from './databases.js';
import { defineSqlAdapterSuite } from './suite.js';

defineSqlAdapterSuite('PostgreSQL', serviceGate('PostgreSQL (127.0.0.1:5432)', await pgProblem()), createPgDatabase);
