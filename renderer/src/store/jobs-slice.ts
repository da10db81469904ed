import type { StateCreator } from 'zustand';
import type { BenchApi, MethodInput } from '../../../electron/contract/bench-api';
import type { BenchError } from '../../../electron/contract/envelope';
import type { JobSummary, JobView } from '../../../electron/contract/jobs';

export interface JobsSlice {
  jobs: JobSummary[];
  /** The job on the bench: its set view, and the position the next injector is coded for. */
  activeJob: JobView | null;
  activePosition: number | null;
  jobError: BenchError | null;
  loadJobs(text?: string): Promise<void>;
  createJob(input: MethodInput<'createJob'>): Promise<boolean>;
  openJob(jobId: string): Promise<void>;
  refreshJob(): Promise<void>;
  closeJob(): void;
  choosePosition(position: number | null): void;
}

export const createJobsSlice =
  (bench: BenchApi): StateCreator<JobsSlice, [], [], JobsSlice> =>
  (set, get) => ({
    jobs: [],
    activeJob: null,
    activePosition: null,
    jobError: null,
    async loadJobs(text) {
      const result = await bench.listJobs(text ? { text } : {});
      if (result.ok) set({ jobs: result.value });
      else set({ jobError: result.error });
    },
    async createJob(input) {
      const result = await bench.createJob(input);
      if (!result.ok) {
        set({ jobError: result.error });
        return false;
      }
      set({ activeJob: result.value, activePosition: 1, jobError: null });
      void get().loadJobs();
      return true;
    },
    async openJob(jobId) {
      const result = await bench.getJob({ jobId });
      if (!result.ok) {
        set({ jobError: result.error });
        return;
      }
      const firstOpen = result.value.positions.find((position) => position.latest === null)?.position ?? null;
      set({ activeJob: result.value, activePosition: firstOpen, jobError: null });
    },
    async refreshJob() {
      const job = get().activeJob;
      if (!job) return;
      const result = await bench.getJob({ jobId: job.job.jobId });
      if (result.ok) set({ activeJob: result.value });
    },
    closeJob: () => set({ activeJob: null, activePosition: null }),
    choosePosition: (position) => set({ activePosition: position }),
  });
