// Which processes belong to a process tree (Pushpin is a runner with three children), from (pid, ppid) pairs. Pure.

/** `root` and every process below it, given each process's parent; order is breadth first. */
export function treeOf(root: number, parents: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** The parent pid from the text of /proc/<pid>/stat (the command name in parentheses may contain spaces). */
export function parentFromStat(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}
