import { randomUUID } from 'node:crypto';
import { ApiError } from './errors.ts';
import {
  changedPaths,
  fieldSet,
  getAt,
  mergeApplied,
  ownedPart,
  removeAt,
  toFieldsV1,
  type FieldSet,
} from './field-set.ts';
import { clone, isObject, jsonEqual, mergePatch, type JsonObject } from './json.ts';
import { apiVersionOf, typeId, type ResourceType } from './resource-types.ts';
import type { Selector } from './selectors.ts';

export type Subresource = 'main' | 'status';
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface ManagerEntry {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly subresource: Subresource;
  time: string;
  fields: FieldSet;
}

interface Stored {
  object: JsonObject;
  managers: ManagerEntry[];
}

export interface StoreEvent {
  readonly rv: number;
  readonly typeId: string;
  readonly type: WatchEventType;
  readonly object: JsonObject;
  /** The object before the change, to tell a watcher with a selector that it left the selection. */
  readonly previous: JsonObject | undefined;
}

export interface Watcher {
  readonly typeId: string;
  readonly namespace: string | undefined;
  readonly selector: Selector;
  send(type: WatchEventType, object: JsonObject): void;
}

function withoutManaged(obj: JsonObject): JsonObject {
  return { ...obj, metadata: { ...meta(obj), managedFields: null } };
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function meta(obj: JsonObject): JsonObject {
  if (!isObject(obj['metadata'])) obj['metadata'] = {};
  return obj['metadata'] as JsonObject;
}

/**
 * The emulator's etcd: objects by kind, one global resourceVersion counter, and a bounded event history
 * that watches resume from (older resourceVersions answer 410 Gone, as after etcd compaction).
 */
export class Store {
  private readonly objects = new Map<string, Map<string, Stored>>();
  private readonly history: StoreEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  /** Served kinds by `group/version/kind`, to find a dependent's kind during garbage collection. */
  private readonly types = new Map<string, ResourceType>();
  private readonly historySize: number;
  private revision = 1;
  /** Events with rv > compactedAt are all in `history`. */
  private compactedAt = 1;
  private nextIp = 1;
  private nextNodePort = 30000;

  constructor(historySize: number) {
    this.historySize = historySize;
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  /** Forgets all history: every watch resumed from an earlier resourceVersion gets 410 Gone. */
  compact(): void {
    this.history.length = 0;
    this.compactedAt = this.revision;
  }

  private bucket(type: ResourceType): Map<string, Stored> {
    const id = typeId(type);
    let bucket = this.objects.get(id);
    if (!bucket) this.objects.set(id, (bucket = new Map()));
    return bucket;
  }

  private key(ns: string | undefined, name: string): string {
    return `${ns ?? ''}/${name}`;
  }

  list(type: ResourceType, ns: string | undefined, selector: Selector): JsonObject[] {
    return [...this.bucket(type).values()]
      .map((s) => s.object)
      .filter((o) => (ns === undefined || meta(o)['namespace'] === ns) && selector(o))
      .sort((a, b) =>
        this.key(meta(a)['namespace'] as string, meta(a)['name'] as string).localeCompare(
          this.key(meta(b)['namespace'] as string, meta(b)['name'] as string),
        ),
      )
      .map((o) => clone(o));
  }

  get(type: ResourceType, ns: string | undefined, name: string): JsonObject {
    return clone(this.stored(type, ns, name).object);
  }

  private stored(type: ResourceType, ns: string | undefined, name: string): Stored {
    const stored = this.bucket(type).get(this.key(ns, name));
    if (!stored) throw this.notFound(type, name);
    return stored;
  }

  private notFound(type: ResourceType, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${type.plural}${type.group ? `.${type.group}` : ''} "${name}" not found`, {
      name,
      group: type.group,
      kind: type.plural,
    });
  }

  exists(type: ResourceType, ns: string | undefined, name: string): boolean {
    return this.bucket(type).has(this.key(ns, name));
  }

  create(type: ResourceType, ns: string | undefined, body: JsonObject, manager: string): JsonObject {
    const obj = this.validateIdentity(type, ns, body);
    const m = meta(obj);
    if (!m['name'] && typeof m['generateName'] === 'string') {
      m['name'] = `${m['generateName']}${randomUUID().slice(0, 5)}`;
    }
    const name = m['name'];
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new ApiError(422, 'Invalid', `${type.kind} "${String(name)}" is invalid: metadata.name: Invalid value`);
    }
    if (this.exists(type, ns, name)) {
      throw new ApiError(409, 'AlreadyExists', `${type.plural} "${name}" already exists`, {
        name,
        group: type.group,
        kind: type.plural,
      });
    }
    for (const k of [
      'resourceVersion',
      'uid',
      'creationTimestamp',
      'deletionTimestamp',
      'managedFields',
      'generation',
    ]) {
      delete m[k];
    }
    m['uid'] = randomUUID();
    m['creationTimestamp'] = now();
    m['generation'] = 1;
    if (type.status && type.group !== '') delete obj['status'];
    this.applyDefaults(type, obj);
    const stored: Stored = { object: obj, managers: [] };
    this.bucket(type).set(this.key(ns, name), stored);
    this.own(stored, manager, 'Update', 'main', fieldSet(ownedPart(obj, 'main', type.status)), false);
    this.commit(type, stored, 'ADDED', undefined);
    return clone(stored.object);
  }

  private validateIdentity(type: ResourceType, ns: string | undefined, body: JsonObject): JsonObject {
    const obj = clone(body);
    obj['apiVersion'] = apiVersionOf(type);
    if (body['kind'] !== undefined && body['kind'] !== type.kind) {
      throw new ApiError(400, 'BadRequest', `the body kind ${String(body['kind'])} does not match ${type.kind}`);
    }
    obj['kind'] = type.kind;
    const m = meta(obj);
    if (type.namespaced) {
      if (m['namespace'] !== undefined && m['namespace'] !== ns) {
        throw new ApiError(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      m['namespace'] = ns!;
    } else delete m['namespace'];
    return obj;
  }

  /** What the real API server fills in on creation that clients rely on. */
  private applyDefaults(type: ResourceType, obj: JsonObject): void {
    const spec = obj['spec'];
    if (type.kind === 'Service' && isObject(spec)) {
      spec['type'] ??= 'ClusterIP';
      if (spec['type'] !== 'ExternalName' && spec['clusterIP'] === undefined) {
        const ip = this.nextIp++;
        spec['clusterIP'] = `10.96.${Math.floor(ip / 250)}.${(ip % 250) + 1}`;
        spec['clusterIPs'] = [spec['clusterIP']];
      }
      if ((spec['type'] === 'NodePort' || spec['type'] === 'LoadBalancer') && Array.isArray(spec['ports'])) {
        for (const port of spec['ports']) if (isObject(port)) port['nodePort'] ??= this.nextNodePort++;
      }
    }
    if (type.kind === 'Deployment' && isObject(spec)) spec['replicas'] ??= 1;
  }

  /** PUT: optimistic concurrency on resourceVersion; the main resource cannot change status and vice versa. */
  update(
    type: ResourceType,
    ns: string | undefined,
    name: string,
    body: JsonObject,
    subresource: Subresource,
    manager: string,
  ): JsonObject {
    const stored = this.stored(type, ns, name);
    const incoming = this.validateIdentity(type, ns, body);
    if (meta(incoming)['name'] !== name) {
      throw new ApiError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    }
    const rv = meta(incoming)['resourceVersion'];
    if (rv !== undefined && rv !== '' && rv !== meta(stored.object)['resourceVersion']) {
      throw this.conflict(type, name);
    }
    return this.replace(type, stored, incoming, subresource, manager);
  }

  private conflict(type: ResourceType, name: string): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${type.plural}${type.group ? `.${type.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group: type.group, kind: type.plural },
    );
  }

  patch(
    type: ResourceType,
    ns: string | undefined,
    name: string,
    patch: JsonObject,
    subresource: Subresource,
    manager: string,
  ): JsonObject {
    const stored = this.stored(type, ns, name);
    const rv = isObject(patch['metadata']) ? patch['metadata']['resourceVersion'] : undefined;
    if (rv !== undefined && rv !== meta(stored.object)['resourceVersion']) throw this.conflict(type, name);
    const next = mergePatch(stored.object, patch) as JsonObject;
    return this.replace(type, stored, this.validateIdentity(type, ns, next), subresource, manager);
  }

  /** Server-side apply (`application/apply-patch+yaml`). */
  apply(
    type: ResourceType,
    ns: string | undefined,
    name: string,
    config: JsonObject,
    subresource: Subresource,
    manager: string,
    force: boolean,
  ): JsonObject {
    const checked = this.validateIdentity(type, ns, config);
    if (meta(checked)['name'] !== name) {
      throw new ApiError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    }
    if (!this.exists(type, ns, name)) {
      if (subresource === 'status') throw this.notFound(type, name);
      const created = this.create(type, ns, checked, manager);
      const stored = this.stored(type, ns, name);
      stored.managers = [];
      this.own(stored, manager, 'Apply', 'main', fieldSet(ownedPart(checked, 'main', type.status)), false);
      stored.object = this.renderManaged(stored);
      return { ...created, metadata: clone(meta(stored.object)) };
    }
    const stored = this.stored(type, ns, name);
    const applied = ownedPart(checked, subresource, type.status);
    const fields = fieldSet(applied);
    const conflicts: string[] = [];
    for (const entry of stored.managers) {
      if (entry.manager === manager && entry.operation === 'Apply') continue;
      if (entry.subresource !== subresource) continue;
      for (const encoded of fields) {
        if (!entry.fields.has(encoded)) continue;
        const path = JSON.parse(encoded) as string[];
        if (jsonEqual(getAt(stored.object, path), getAt(applied, path))) continue;
        if (force) entry.fields.delete(encoded);
        else conflicts.push(`conflict with "${entry.manager}": .${path.map((s) => s.slice(2)).join('.')}`);
      }
    }
    if (conflicts.length > 0) {
      throw new ApiError(
        409,
        'Conflict',
        `Apply failed with ${conflicts.length} conflict(s): ${conflicts.join(', ')}`,
        {
          name,
          group: type.group,
          kind: type.plural,
        },
      );
    }
    // Fields this manager applied before and no longer applies are removed, unless someone else owns them.
    const previous = stored.managers.find(
      (e) => e.manager === manager && e.operation === 'Apply' && e.subresource === subresource,
    );
    const next = clone(stored.object);
    if (previous) {
      const others = new Set(
        stored.managers.filter((e) => e !== previous && e.subresource === subresource).flatMap((e) => [...e.fields]),
      );
      for (const encoded of previous.fields) {
        if (!fields.has(encoded) && !others.has(encoded)) removeAt(next, JSON.parse(encoded) as string[]);
      }
    }
    const merged = mergeApplied(next, applied) as JsonObject;
    return this.write(type, stored, merged, subresource, manager, 'Apply', fields);
  }

  /** Replaces the part of the object the endpoint may change; the caller becomes owner of what it changed. */
  private replace(
    type: ResourceType,
    stored: Stored,
    incoming: JsonObject,
    subresource: Subresource,
    manager: string,
  ): JsonObject {
    const current = stored.object;
    let next: JsonObject;
    if (subresource === 'status') {
      next = clone(current);
      if (incoming['status'] === undefined) delete next['status'];
      else next['status'] = clone(incoming['status']);
    } else {
      next = clone(incoming);
      const m = meta(next);
      for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'generation', 'resourceVersion']) {
        const value = meta(current)[k];
        if (value === undefined) delete m[k];
        else m[k] = value;
      }
      if (type.status) {
        if (current['status'] === undefined) delete next['status'];
        else next['status'] = clone(current['status']);
      }
    }
    const changed = changedPaths(
      ownedPart(current, subresource, type.status),
      ownedPart(next, subresource, type.status),
    );
    return this.write(type, stored, next, subresource, manager, 'Update', changed);
  }

  private write(
    type: ResourceType,
    stored: Stored,
    next: JsonObject,
    subresource: Subresource,
    manager: string,
    operation: 'Apply' | 'Update',
    fields: FieldSet,
  ): JsonObject {
    const previous = stored.object;
    const nextMeta = meta(next);
    nextMeta['managedFields'] = meta(previous)['managedFields'] ?? [];
    nextMeta['resourceVersion'] = meta(previous)['resourceVersion']!;
    const specChanged = !jsonEqual(
      { ...previous, metadata: null, status: null },
      { ...next, metadata: null, status: null },
    );
    if (specChanged) nextMeta['generation'] = Number(meta(previous)['generation'] ?? 1) + 1;
    this.own(stored, manager, operation, subresource, fields, operation === 'Apply');
    // A write that changes nothing does not bump resourceVersion or send an event, as the real server.
    if (jsonEqual(withoutManaged(next), withoutManaged(previous))) {
      stored.object = this.renderManaged(stored);
      return clone(stored.object);
    }
    stored.object = next;
    const m = meta(next);
    const finalizers = m['finalizers'];
    if (m['deletionTimestamp'] && (!Array.isArray(finalizers) || finalizers.length === 0)) {
      this.remove(type, stored);
      return clone(stored.object);
    }
    this.commit(type, stored, 'MODIFIED', previous);
    return clone(stored.object);
  }

  /** Records that `manager` owns `fields`; an Update adds to what it owned, an Apply replaces it. */
  private own(
    stored: Stored,
    manager: string,
    operation: 'Apply' | 'Update',
    subresource: Subresource,
    fields: FieldSet,
    replace: boolean,
  ): void {
    if (operation === 'Update') {
      // An update takes the fields it changed from whoever owned them, without a conflict.
      for (const entry of stored.managers) {
        if (entry.subresource === subresource) for (const f of fields) entry.fields.delete(f);
      }
    }
    let entry = stored.managers.find(
      (e) => e.manager === manager && e.operation === operation && e.subresource === subresource,
    );
    if (!entry) {
      if (fields.size === 0) return;
      entry = { manager, operation, subresource, time: now(), fields: new Set() };
      stored.managers.push(entry);
    }
    if (replace) entry.fields = new Set(fields);
    else for (const f of fields) entry.fields.add(f);
    entry.time = now();
    stored.managers = stored.managers.filter((e) => e.fields.size > 0);
  }

  private renderManaged(stored: Stored): JsonObject {
    const obj = clone(stored.object);
    const apiVersion = obj['apiVersion'] as string;
    meta(obj)['managedFields'] = stored.managers.map((e) => ({
      manager: e.manager,
      operation: e.operation,
      apiVersion,
      time: e.time,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(e.fields),
      ...(e.subresource === 'status' ? { subresource: 'status' } : {}),
    }));
    return obj;
  }

  /** Deletes now, or marks for deletion while finalizers remain. */
  delete(type: ResourceType, ns: string | undefined, name: string): JsonObject {
    const stored = this.stored(type, ns, name);
    const m = meta(stored.object);
    const finalizers = m['finalizers'];
    if (Array.isArray(finalizers) && finalizers.length > 0) {
      if (m['deletionTimestamp']) return clone(stored.object);
      const previous = stored.object;
      stored.object = clone(previous);
      meta(stored.object)['deletionTimestamp'] = now();
      this.commit(type, stored, 'MODIFIED', previous);
      return clone(stored.object);
    }
    this.remove(type, stored);
    return clone(stored.object);
  }

  private remove(type: ResourceType, stored: Stored): void {
    const m = meta(stored.object);
    this.bucket(type).delete(this.key(m['namespace'] as string | undefined, m['name'] as string));
    this.commit(type, stored, 'DELETED', stored.object);
    this.collectGarbage(m['uid'] as string);
  }

  /** Background cascading deletion: objects owned (ownerReferences) by a deleted object go too. */
  private collectGarbage(uid: string): void {
    for (const bucket of this.objects.values()) {
      for (const stored of [...bucket.values()]) {
        const owners = meta(stored.object)['ownerReferences'];
        if (Array.isArray(owners) && owners.some((o) => isObject(o) && o['uid'] === uid)) {
          const [group, version] = (stored.object['apiVersion'] as string).includes('/')
            ? (stored.object['apiVersion'] as string).split('/')
            : ['', stored.object['apiVersion'] as string];
          const type = this.typeOf(group!, version!, stored.object['kind'] as string);
          if (type) this.remove(type, stored);
        }
      }
    }
  }

  register(type: ResourceType): void {
    this.types.set(`${type.group}/${type.version}/${type.kind}`, type);
  }

  private typeOf(group: string, version: string, kind: string): ResourceType | undefined {
    return this.types.get(`${group}/${version}/${kind}`);
  }

  private commit(
    type: ResourceType,
    stored: Stored,
    eventType: WatchEventType,
    previous: JsonObject | undefined,
  ): void {
    this.revision++;
    const obj = this.renderManaged(stored);
    meta(obj)['resourceVersion'] = String(this.revision);
    stored.object = obj;
    const event: StoreEvent = {
      rv: this.revision,
      typeId: typeId(type),
      type: eventType,
      object: clone(obj),
      previous,
    };
    this.history.push(event);
    if (this.history.length > this.historySize) this.compactedAt = this.history.shift()!.rv;
    for (const watcher of this.watchers) this.deliver(watcher, event);
  }

  private deliver(watcher: Watcher, event: StoreEvent): void {
    if (watcher.typeId !== event.typeId) return;
    if (watcher.namespace !== undefined && meta(event.object)['namespace'] !== watcher.namespace) return;
    const matches = watcher.selector(event.object);
    const matched = event.previous !== undefined && watcher.selector(event.previous);
    if (event.type === 'DELETED') {
      if (matches) watcher.send('DELETED', event.object);
    } else if (matches) watcher.send(matched || event.type === 'ADDED' ? event.type : 'ADDED', event.object);
    else if (matched) watcher.send('DELETED', event.object);
  }

  /**
   * Starts a watch. Without a resourceVersion it begins with ADDED for every current object; with one it
   * replays the changes after it, or throws 410 Expired when those changes are no longer kept.
   */
  watch(type: ResourceType, watcher: Watcher, resourceVersion: string | undefined): () => void {
    if (resourceVersion === undefined || resourceVersion === '' || resourceVersion === '0') {
      for (const obj of this.list(type, watcher.namespace, watcher.selector)) watcher.send('ADDED', obj);
    } else {
      const rv = Number(resourceVersion);
      if (!Number.isInteger(rv)) throw new ApiError(400, 'BadRequest', `invalid resource version: ${resourceVersion}`);
      if (rv < this.compactedAt) {
        throw new ApiError(410, 'Expired', `too old resource version: ${rv} (${this.compactedAt + 1})`);
      }
      for (const event of this.history) if (event.rv > rv) this.deliver(watcher, event);
    }
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }
}
