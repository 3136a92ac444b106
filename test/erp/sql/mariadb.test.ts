import { createMariadbDatabase, mariadbProblem, serviceGate } from './databases.js';
import { defineSqlAdapterSuite } from './suite.js';

defineSqlAdapterSuite('MariaDB', serviceGate('MariaDB (127.0.0.1:3306)', await mariadbProblem()), createMariadbDatabase);
