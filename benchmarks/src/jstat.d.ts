/** The part of jStat (no types of its own) the evidence module uses: Student's t quantile. */
declare module 'jstat' {
  const jStat: { studentt: { inv(p: number, dof: number): number } };
  export default jStat;
}
