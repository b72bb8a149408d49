import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  InsertQueryNode,
  SelectQueryNode,
  TableNode,
} from 'kysely';

function tablesOf(node: RootOperationNode): string[] {
  const names: string[] = [];
  if (InsertQueryNode.is(node)) names.push(node.into?.table.identifier.name ?? '');
  if (SelectQueryNode.is(node)) {
    for (const from of node.from?.froms ?? []) {
      if (TableNode.is(from)) names.push(from.table.identifier.name);
    }
  }
  return names;
}

/** Makes every INSERT into `table` fail, as a database error midway would. */
export function failInsertsInto(table: string): KyselyPlugin {
  return {
    transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
      if (InsertQueryNode.is(node) && tablesOf(node).includes(table))
        throw new Error(`injected failure: insert into ${table}`);
      return node;
    },
    async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return result;
    },
  };
}

/**
 * Holds the results of SELECTs from `table` until `release()` is called; `reached` resolves
 * when the first such query has run. Lets a test look at the world while an operation is
 * provably halfway.
 */
export function pauseSelectsFrom(table: string): {
  plugin: KyselyPlugin;
  reached: Promise<void>;
  release: () => void;
} {
  const paused = new Set<unknown>();
  let release!: () => void;
  let reach!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const reached = new Promise<void>((resolve) => (reach = resolve));
  return {
    plugin: {
      transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
        if (SelectQueryNode.is(node) && tablesOf(node).includes(table)) paused.add(queryId);
        return node;
      },
      async transformResult({
        queryId,
        result,
      }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
        if (paused.delete(queryId)) {
          reach();
          await gate;
        }
        return result;
      },
    },
    reached,
    release,
  };
}
