using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reeve.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FlowsDeploymentsRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "flow",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated = table.Column<DateTime>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    tags = table.Column<string>(type: "TEXT", nullable: false),
                    labels = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_flow", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "log",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created = table.Column<DateTime>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    level = table.Column<int>(type: "INTEGER", nullable: false),
                    message = table.Column<string>(type: "TEXT", nullable: false),
                    timestamp = table.Column<DateTime>(type: "TEXT", nullable: false),
                    flow_run_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    task_run_id = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "deployment",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated = table.Column<DateTime>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    flow_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version = table.Column<string>(type: "TEXT", nullable: true),
                    description = table.Column<string>(type: "TEXT", nullable: true),
                    paused = table.Column<bool>(type: "INTEGER", nullable: false),
                    concurrency_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    collision_strategy = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    job_variables = table.Column<string>(type: "TEXT", nullable: false),
                    parameters = table.Column<string>(type: "TEXT", nullable: false),
                    tags = table.Column<string>(type: "TEXT", nullable: false),
                    labels = table.Column<string>(type: "TEXT", nullable: false),
                    work_queue_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    last_polled = table.Column<DateTime>(type: "TEXT", nullable: true),
                    parameter_openapi_schema = table.Column<string>(type: "TEXT", nullable: false),
                    path = table.Column<string>(type: "TEXT", nullable: true),
                    pull_steps = table.Column<string>(type: "TEXT", nullable: true),
                    entrypoint = table.Column<string>(type: "TEXT", nullable: true),
                    storage_document_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    infrastructure_document_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_by = table.Column<string>(type: "TEXT", nullable: true),
                    updated_by = table.Column<string>(type: "TEXT", nullable: true),
                    enforce_parameter_schema = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deployment", x => x.id);
                    table.ForeignKey(
                        name: "fk_deployment_flow_flow_id",
                        column: x => x.flow_id,
                        principalTable: "flow",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_deployment_work_queue_work_queue_id",
                        column: x => x.work_queue_id,
                        principalTable: "work_queue",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "deployment_schedule",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    schedule = table.Column<string>(type: "TEXT", nullable: false),
                    active = table.Column<bool>(type: "INTEGER", nullable: false),
                    max_scheduled_runs = table.Column<int>(type: "INTEGER", nullable: true),
                    parameters = table.Column<string>(type: "TEXT", nullable: false),
                    slug = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deployment_schedule", x => x.id);
                    table.ForeignKey(
                        name: "fk_deployment_schedule_deployment_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployment",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "flow_run",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated = table.Column<DateTime>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    flow_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deployment_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    deployment_version = table.Column<string>(type: "TEXT", nullable: true),
                    work_queue_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    work_pool_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    flow_version = table.Column<string>(type: "TEXT", nullable: true),
                    parameters = table.Column<string>(type: "TEXT", nullable: false),
                    idempotency_key = table.Column<string>(type: "TEXT", nullable: true),
                    context = table.Column<string>(type: "TEXT", nullable: false),
                    empirical_policy = table.Column<string>(type: "TEXT", nullable: false),
                    retry_type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    tags = table.Column<string>(type: "TEXT", nullable: false),
                    labels = table.Column<string>(type: "TEXT", nullable: false),
                    parent_task_run_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    state_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    state_type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    state_name = table.Column<string>(type: "TEXT", nullable: true),
                    state_timestamp = table.Column<DateTime>(type: "TEXT", nullable: true),
                    state = table.Column<string>(type: "TEXT", nullable: true),
                    run_count = table.Column<int>(type: "INTEGER", nullable: false),
                    expected_start_time = table.Column<DateTime>(type: "TEXT", nullable: true),
                    next_scheduled_start_time = table.Column<DateTime>(type: "TEXT", nullable: true),
                    start_time = table.Column<DateTime>(type: "TEXT", nullable: true),
                    end_time = table.Column<DateTime>(type: "TEXT", nullable: true),
                    total_run_time = table.Column<double>(type: "REAL", nullable: false),
                    auto_scheduled = table.Column<bool>(type: "INTEGER", nullable: false),
                    infrastructure_document_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    infrastructure_pid = table.Column<string>(type: "TEXT", nullable: true),
                    created_by = table.Column<string>(type: "TEXT", nullable: true),
                    job_variables = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_flow_run", x => x.id);
                    table.ForeignKey(
                        name: "fk_flow_run_deployment_deployment_id",
                        column: x => x.deployment_id,
                        principalTable: "deployment",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_flow_run_flow_flow_id",
                        column: x => x.flow_id,
                        principalTable: "flow",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_flow_run_work_pool_work_pool_id",
                        column: x => x.work_pool_id,
                        principalTable: "work_pool",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_flow_run_work_queue_work_queue_id",
                        column: x => x.work_queue_id,
                        principalTable: "work_queue",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "flow_run_state",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    flow_run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    timestamp = table.Column<DateTime>(type: "TEXT", nullable: false),
                    message = table.Column<string>(type: "TEXT", nullable: true),
                    state_details = table.Column<string>(type: "TEXT", nullable: false),
                    data = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_flow_run_state", x => x.id);
                    table.ForeignKey(
                        name: "fk_flow_run_state_flow_run_flow_run_id",
                        column: x => x.flow_run_id,
                        principalTable: "flow_run",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "task_run",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated = table.Column<DateTime>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    flow_run_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    task_key = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    dynamic_key = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    cache_key = table.Column<string>(type: "TEXT", nullable: true),
                    cache_expiration = table.Column<DateTime>(type: "TEXT", nullable: true),
                    task_version = table.Column<string>(type: "TEXT", nullable: true),
                    empirical_policy = table.Column<string>(type: "TEXT", nullable: false),
                    tags = table.Column<string>(type: "TEXT", nullable: false),
                    labels = table.Column<string>(type: "TEXT", nullable: false),
                    task_inputs = table.Column<string>(type: "TEXT", nullable: false),
                    state_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    state_type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    state_name = table.Column<string>(type: "TEXT", nullable: true),
                    state_timestamp = table.Column<DateTime>(type: "TEXT", nullable: true),
                    state = table.Column<string>(type: "TEXT", nullable: true),
                    run_count = table.Column<int>(type: "INTEGER", nullable: false),
                    flow_run_run_count = table.Column<int>(type: "INTEGER", nullable: false),
                    expected_start_time = table.Column<DateTime>(type: "TEXT", nullable: true),
                    next_scheduled_start_time = table.Column<DateTime>(type: "TEXT", nullable: true),
                    start_time = table.Column<DateTime>(type: "TEXT", nullable: true),
                    end_time = table.Column<DateTime>(type: "TEXT", nullable: true),
                    total_run_time = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_task_run", x => x.id);
                    table.ForeignKey(
                        name: "fk_task_run_flow_run_flow_run_id",
                        column: x => x.flow_run_id,
                        principalTable: "flow_run",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "task_run_state",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    task_run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    timestamp = table.Column<DateTime>(type: "TEXT", nullable: false),
                    message = table.Column<string>(type: "TEXT", nullable: true),
                    state_details = table.Column<string>(type: "TEXT", nullable: false),
                    data = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_task_run_state", x => x.id);
                    table.ForeignKey(
                        name: "fk_task_run_state_task_run_task_run_id",
                        column: x => x.task_run_id,
                        principalTable: "task_run",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_deployment_flow_id_name",
                table: "deployment",
                columns: new[] { "flow_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deployment_work_queue_id",
                table: "deployment",
                column: "work_queue_id");

            migrationBuilder.CreateIndex(
                name: "ix_deployment_schedule_deployment_id",
                table: "deployment_schedule",
                column: "deployment_id");

            migrationBuilder.CreateIndex(
                name: "ix_flow_name",
                table: "flow",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_flow_run_deployment_id_state_type_next_scheduled_start_time",
                table: "flow_run",
                columns: new[] { "deployment_id", "state_type", "next_scheduled_start_time" });

            migrationBuilder.CreateIndex(
                name: "ix_flow_run_expected_start_time",
                table: "flow_run",
                column: "expected_start_time");

            migrationBuilder.CreateIndex(
                name: "ix_flow_run_flow_id_idempotency_key",
                table: "flow_run",
                columns: new[] { "flow_id", "idempotency_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_flow_run_parent_task_run_id",
                table: "flow_run",
                column: "parent_task_run_id");

            migrationBuilder.CreateIndex(
                name: "ix_flow_run_state_type_next_scheduled_start_time",
                table: "flow_run",
                columns: new[] { "state_type", "next_scheduled_start_time" });

            migrationBuilder.CreateIndex(
                name: "ix_flow_run_work_pool_id_state_type_next_scheduled_start_time",
                table: "flow_run",
                columns: new[] { "work_pool_id", "state_type", "next_scheduled_start_time" });

            migrationBuilder.CreateIndex(
                name: "ix_flow_run_work_queue_id_state_type_next_scheduled_start_time",
                table: "flow_run",
                columns: new[] { "work_queue_id", "state_type", "next_scheduled_start_time" });

            migrationBuilder.CreateIndex(
                name: "ix_flow_run_state_flow_run_id_timestamp",
                table: "flow_run_state",
                columns: new[] { "flow_run_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "ix_log_flow_run_id_timestamp",
                table: "log",
                columns: new[] { "flow_run_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "ix_log_task_run_id",
                table: "log",
                column: "task_run_id");

            migrationBuilder.CreateIndex(
                name: "ix_task_run_flow_run_id_task_key_dynamic_key",
                table: "task_run",
                columns: new[] { "flow_run_id", "task_key", "dynamic_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_task_run_state_task_run_id_timestamp",
                table: "task_run_state",
                columns: new[] { "task_run_id", "timestamp" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deployment_schedule");

            migrationBuilder.DropTable(
                name: "flow_run_state");

            migrationBuilder.DropTable(
                name: "log");

            migrationBuilder.DropTable(
                name: "task_run_state");

            migrationBuilder.DropTable(
                name: "task_run");

            migrationBuilder.DropTable(
                name: "flow_run");

            migrationBuilder.DropTable(
                name: "deployment");

            migrationBuilder.DropTable(
                name: "flow");
        }
    }
}
