import type { StateCreator } from 'zustand';
import type { BenchApi, MethodInput } from '../../../electron/contract/bench-api';
import type { BenchError, Result } from '../../../electron/contract/envelope';
import type { JobState, JobSummary, JobView } from '../../../electron/contract/jobs';

/** What the jobs list shows: a text to match and open or closed jobs (all when no state). */
export interface JobsQuery {
  text?: string;
  state?: JobState;
}

export interface JobsSlice {
  jobs: JobSummary[];
  /** The list's last query: reloads after a change keep the technician's filter. Open jobs first. */
  jobsQuery: JobsQuery;
  /** The job on the bench: its set view, and the position the next injector is coded for. */
  activeJob: JobView | null;
  activePosition: number | null;
  jobError: BenchError | null;
  jobBusy: boolean;
  loadJobs(query?: JobsQuery): Promise<void>;
  createJob(input: MethodInput<'createJob'>): Promise<boolean>;
  openJob(jobId: string): Promise<void>;
  refreshJob(): Promise<void>;
  editJob(input: MethodInput<'editJob'>): Promise<boolean>;
  /** Closes the job for good (until an admin reopens it). */
  closeJob(jobId: string): Promise<boolean>;
  reopenJob(input: MethodInput<'reopenJob'>): Promise<boolean>;
  /** Puts the job on the bench aside (the job itself stays as it is). */
  leaveJob(): void;
  choosePosition(position: number | null): void;
}

export const createJobsSlice =
  (bench: BenchApi): StateCreator<JobsSlice, [], [], JobsSlice> =>
  (set, get) => {
    /** Runs a change of the active job: its new view replaces the old one, and the list follows. */
    async function change(call: () => Promise<Result<JobView>>): Promise<boolean> {
      set({ jobBusy: true, jobError: null });
      const result = await call();
      if (!result.ok) {
        set({ jobBusy: false, jobError: result.error });
        return false;
      }
      set({ jobBusy: false, activeJob: result.value });
      void get().loadJobs();
      return true;
    }
    return {
      jobs: [],
      jobsQuery: { state: 'open' },
      activeJob: null,
      activePosition: null,
      jobError: null,
      jobBusy: false,
      async loadJobs(query) {
        const next = query ?? get().jobsQuery;
        set({ jobsQuery: next });
        const result = await bench.listJobs({ ...(next.text ? { text: next.text } : {}), ...(next.state ? { state: next.state } : {}) });
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
      editJob: (input) => change(() => bench.editJob(input)),
      closeJob: (jobId) => change(() => bench.closeJob({ jobId })),
      reopenJob: (input) => change(() => bench.reopenJob(input)),
      leaveJob: () => set({ activeJob: null, activePosition: null }),
      choosePosition: (position) => set({ activePosition: position }),
    };
  };
