import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Clock } from '../../domain/clock.js';
import type { Config } from '../../domain/config.js';
import type { AccessService } from '../services/access-service.js';
import { BuildingsService } from '../services/buildings-service.js';
import { CommunitiesService } from '../services/communities-service.js';
import { ContactsService } from '../services/contacts-service.js';
import { GridsService } from '../services/grids-service.js';
import { ResidentsService } from '../services/residents-service.js';
import { StreetsService } from '../services/streets-service.js';
import { RegisterImportService } from '../services/register-import-service.js';
import { registerImportRoutes } from './register-import-routes.js';
import { overviewRoutes } from './overview-routes.js';
import { buildingsRoutes } from './buildings-routes.js';
import { communitiesRoutes } from './communities-routes.js';
import { contactsRoutes } from './contacts-routes.js';
import { gridsRoutes } from './grids-routes.js';
import { residentsRoutes } from './residents-routes.js';
import { streetsRoutes } from './streets-routes.js';

/** The register of issue 17 (streets … contacts): one set of routes, service and repository per resource. */
export async function registerRoutes(app: FastifyInstance, deps: { pool: pg.Pool; config: Config; clock: Clock; access: AccessService }) {
  const { pool, config, clock, access } = deps;
  await streetsRoutes(app, { streets: new StreetsService(pool, clock) });
  await communitiesRoutes(app, { communities: new CommunitiesService(pool, access, config, clock) });
  await gridsRoutes(app, { grids: new GridsService(pool, clock) });
  await buildingsRoutes(app, { buildings: new BuildingsService(pool, clock) });
  await residentsRoutes(app, { residents: new ResidentsService(pool, access, clock) });
  await contactsRoutes(app, { contacts: new ContactsService(pool, access, clock) });
  await registerImportRoutes(app, { imports: new RegisterImportService(pool, clock) });
  await overviewRoutes(app, { pool, config, clock });
}
