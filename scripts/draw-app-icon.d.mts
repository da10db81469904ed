export declare const ICON_SIZE: number;
export declare function drawIcon(): Buffer;
