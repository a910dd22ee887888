import type { FastifyInstance } from 'fastify';
import { ADMIN_ONLY } from '../route-access.js';
import { responses } from '../schemas/common-schemas.js';
import { StorageResponse } from '../schemas/storage-schemas.js';
import type { StorageService } from '../services/storage-service.js';

/** Disk use per table and retention (issue 21): for the admin who runs the service. */
export async function storageRoutes(app: FastifyInstance, { storage }: { storage: StorageService }) {
  app.get('/admin/storage', {
    config: { roles: ADMIN_ONLY },
    schema: { tags: ['settings'], summary: 'Disk use per table, the retention in force and the last retention pass', response: responses({ 200: StorageResponse }) },
  }, async () => storage.current());
}
