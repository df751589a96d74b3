using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reeve.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "work_pool",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated = table.Column<DateTime>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: true),
                    type = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    base_job_template = table.Column<string>(type: "TEXT", nullable: false),
                    is_paused = table.Column<bool>(type: "INTEGER", nullable: false),
                    concurrency_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    default_queue_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    storage_configuration = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_work_pool", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "work_queue",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated = table.Column<DateTime>(type: "TEXT", nullable: false),
                    work_pool_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: true),
                    is_paused = table.Column<bool>(type: "INTEGER", nullable: false),
                    concurrency_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    priority = table.Column<int>(type: "INTEGER", nullable: false),
                    last_polled = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_work_queue", x => x.id);
                    table.ForeignKey(
                        name: "fk_work_queue_work_pool_work_pool_id",
                        column: x => x.work_pool_id,
                        principalTable: "work_pool",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "worker",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated = table.Column<DateTime>(type: "TEXT", nullable: false),
                    work_pool_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    last_heartbeat_time = table.Column<DateTime>(type: "TEXT", nullable: false),
                    heartbeat_interval_seconds = table.Column<int>(type: "INTEGER", nullable: true),
                    online_until = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_worker", x => x.id);
                    table.ForeignKey(
                        name: "fk_worker_work_pool_work_pool_id",
                        column: x => x.work_pool_id,
                        principalTable: "work_pool",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_work_pool_name",
                table: "work_pool",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_work_queue_work_pool_id_name",
                table: "work_queue",
                columns: new[] { "work_pool_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_work_queue_work_pool_id_priority",
                table: "work_queue",
                columns: new[] { "work_pool_id", "priority" });

            migrationBuilder.CreateIndex(
                name: "ix_worker_work_pool_id_name",
                table: "worker",
                columns: new[] { "work_pool_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_worker_work_pool_id_online_until",
                table: "worker",
                columns: new[] { "work_pool_id", "online_until" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "work_queue");

            migrationBuilder.DropTable(
                name: "worker");

            migrationBuilder.DropTable(
                name: "work_pool");
        }
    }
}
