/**
 * Properties objects and propertyInfo tables of decoded instances, shared by shape. The instances
 * of one enumeration (or the Msvm_Error of every GetError) nearly always have the same properties
 * with the same types, so they share one frozen propertyInfo table, and each properties object is a
 * copy of a fast-mode template: V8 turns an object that gains more than a dozen or so properties one
 * key at a time into a hash table, slower to fill and to read and 3-4 times larger. Keyed by class
 * name; the last shape of each class is kept, for a bounded number of classes.
 */
import { setOwn, type CimPropertyInfo, type CimValue } from './types.js';

/** What a decoder collected for one instance, in document order. */
export interface CollectedProperties {
  readonly names: string[];
  readonly values: CimValue[];
  readonly infos: CimPropertyInfo[];
}

export interface ShapedProperties {
  readonly properties: Record<string, CimValue>;
  readonly propertyInfo: Readonly<Record<string, CimPropertyInfo>>;
}

interface Shape {
  /** Internalised (the template's own keys), so stores into a copy need no look-up of the key. */
  readonly names: readonly string[];
  readonly infos: readonly CimPropertyInfo[];
  readonly table: Readonly<Record<string, CimPropertyInfo>>;
  /** The property names in order, every value null: copied for each instance of this shape. */
  readonly template: Readonly<Record<string, CimValue>>;
}

/** One table per decoder: each compares property infos in its own way. */
export class InstanceShapes {
  readonly #shapes = new Map<string, Shape>();

  /**
   * @param sameInfo whether two infos describe the same property type (identity where infos are shared).
   * @param maxClasses classes whose last shape is kept; others are decoded without sharing.
   */
  constructor(
    private readonly sameInfo: (a: CimPropertyInfo, b: CimPropertyInfo) => boolean,
    private readonly maxClasses = 64,
  ) {}

  /** The properties object and propertyInfo table of `out`; undefined when a name repeats. */
  make(className: string, out: CollectedProperties): ShapedProperties | undefined {
    const { names, values, infos } = out;
    const shape = this.#match(className, out);
    if (shape !== undefined) {
      const properties = { ...shape.template };
      for (let i = 0; i < names.length; i++) setOwn(properties, shape.names[i]!, values[i]!);
      return { properties, propertyInfo: shape.table };
    }
    const filling: Record<string, CimValue> = {};
    for (let i = 0; i < names.length; i++) {
      if (Object.hasOwn(filling, names[i]!)) return undefined;
      setOwn(filling, names[i]!, null);
    }
    const table: Record<string, CimPropertyInfo> = {};
    for (let i = 0; i < names.length; i++) setOwn(table, names[i]!, infos[i]!);
    Object.freeze(table);
    // A copy is in fast mode whatever the original; copies of the template share its layout.
    const template = { ...filling };
    if (this.#shapes.has(className) || this.#shapes.size < this.maxClasses) this.#shapes.set(className, { names: Object.keys(template), infos: [...infos], table, template });
    const properties = { ...template };
    for (let i = 0; i < names.length; i++) setOwn(properties, names[i]!, values[i]!);
    return { properties, propertyInfo: table };
  }

  #match(className: string, out: CollectedProperties): Shape | undefined {
    const last = this.#shapes.get(className);
    if (last === undefined || last.names.length !== out.names.length) return undefined;
    const { names, infos } = out;
    for (let i = 0; i < names.length; i++) if (last.names[i] !== names[i] || !this.sameInfo(last.infos[i]!, infos[i]!)) return undefined;
    return last;
  }
}
